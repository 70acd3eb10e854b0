package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// envVars is the environment variable of each flag, one table for every
// command, so that a variable means the same wherever it is read. Flags of
// the token command that describe one token (--role, --org, --subject, --ttl)
// have none: they are arguments, not configuration.
var envVars = map[string]string{
	"addr":               "DANGBO_ADDR",
	"burst":              "DANGBO_BURST",
	"cors-credentials":   "DANGBO_CORS_CREDENTIALS",
	"cors-origins":       "DANGBO_CORS_ORIGINS",
	"admin-addr":         "DANGBO_ADMIN_ADDR",
	"data":               "DANGBO_DATA",
	"demo-seed":          "DANGBO_DEMO_SEED",
	"dev":                "DANGBO_DEV",
	"empty":              "DANGBO_EMPTY",
	"jwks-url":           "DANGBO_JWKS_URL",
	"jwt-audience":       "DANGBO_JWT_AUDIENCE",
	"jwt-issuer":         "DANGBO_JWT_ISSUER",
	"log-format":         "DANGBO_LOG_FORMAT",
	"log-level":          "DANGBO_LOG_LEVEL",
	"max-chart-nodes":    "DANGBO_MAX_CHART_NODES",
	"max-complexity":     "DANGBO_MAX_COMPLEXITY",
	"max-depth":          "DANGBO_MAX_DEPTH",
	"max-in-flight":      "DANGBO_MAX_IN_FLIGHT",
	"max-response-bytes": "DANGBO_MAX_RESPONSE_BYTES",
	"max-streams":        "DANGBO_MAX_STREAMS",
	"national":           "DANGBO_NATIONAL",
	"national-scale":     "DANGBO_NATIONAL_SCALE",
	"neo4j-database":     "NEO4J_DATABASE",
	"neo4j-uri":          "NEO4J_URI",
	"neo4j-user":         "NEO4J_USER",
	"no-chart":           "DANGBO_NO_CHART",
	"no-introspection":   "DANGBO_NO_INTROSPECTION",
	"no-playground":      "DANGBO_NO_PLAYGROUND",
	"persisted-queries":  "DANGBO_PERSISTED_QUERIES",
	"rate":               "DANGBO_RATE",
}

// secretVars are read from the environment only, never from a flag that
// every user of the machine can read in the process list.
var secretVars = []string{"DANGBO_JWT_SECRET", "NEO4J_PASSWORD"}

// newFlagSet is a command's flag set, its help (-h) written to stderr after
// synopsis.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags of %s (environment variables are read first, flags override them):\n", synopsis, name)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags sets each flag from its environment variable, then parses args
// over them. A variable goes through its flag's own parser, so a malformed
// value fails as the flag would, naming the variable, instead of falling
// back to the default. An empty variable counts as unset.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name, ok := envVars[f.Name]
		if !ok {
			return
		}
		f.Usage += " (env " + name + ")"
		if v := os.Getenv(name); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: not a valid --%s: %w", name, v, f.Name, e)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}
