package main

import (
	"bytes"
	"errors"
	"flag"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMalformedConfigurationFails: a value that does not parse stops the
// start with a message naming where it came from, instead of falling back to
// the default.
func TestMalformedConfigurationFails(t *testing.T) {
	for _, c := range []struct{ env, value, want string }{
		{"DANGBO_RATE", "abc", `DANGBO_RATE="abc": not a valid --rate`},
		{"DANGBO_BURST", "1.5", `DANGBO_BURST="1.5": not a valid --burst`},
		{"DANGBO_DEV", "maybe", `DANGBO_DEV="maybe": not a valid --dev`},
		{"DANGBO_DEMO_SEED", "-1", `DANGBO_DEMO_SEED="-1"`},
		{"DANGBO_CORS_ORIGINS", "example.org", "--cors-origins (DANGBO_CORS_ORIGINS)"},
		{"DANGBO_LOG_LEVEL", "loud", "--log-level"},
		{"OTEL_TRACES_EXPORTER", "zipkin", `OTEL_TRACES_EXPORTER="zipkin"`},
	} {
		t.Run(c.env, func(t *testing.T) {
			t.Setenv("DANGBO_JWT_SECRET", testSecret)
			t.Setenv("DANGBO_DATA", t.TempDir())
			t.Setenv(c.env, c.value)
			var out bytes.Buffer
			err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--empty"}, &out, &out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%s=%s: %v, want %q", c.env, c.value, err, c.want)
			}
		})
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"serve", "--rate", "abc"}, &out, &out); err == nil || !strings.Contains(err.Error(), "-rate") {
		t.Fatalf("--rate abc: %v", err)
	}
}

// tokenArgs describe one token, not the service: they alone have no variable.
var tokenArgs = []string{"role", "org", "subject", "ttl"}

// TestEveryFlagHasAVariable walks every command's flags as -h shows them:
// each has its environment variable, shown in the help and in the README's
// configuration table on the flag's row; and every variable of that table is
// a flag's or a secret.
func TestEveryFlagHasAVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	section = section[strings.Index(section, "## Configuration"):]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	var rows []string
	for line := range strings.SplitSeq(section, "\n") {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	flagLine := regexp.MustCompile(`(?m)^  -(\S+).*\n((?:    .*\n)*)`)
	seen := map[string]bool{}
	for _, cmd := range []string{"serve", "seed", "export", "import", "token"} {
		var help bytes.Buffer
		if err := run(t.Context(), []string{cmd, "-h"}, &help, &help); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s -h: %v", cmd, err)
		}
		flags := flagLine.FindAllStringSubmatch(help.String(), -1)
		if len(flags) == 0 {
			t.Fatalf("%s -h lists no flag:\n%s", cmd, help.String())
		}
		for _, m := range flags {
			name, usage := m[1], m[2]
			if cmd == "token" && slices.Contains(tokenArgs, name) {
				continue
			}
			seen[name] = true
			env, ok := envVars[name]
			if !ok {
				t.Errorf("%s --%s has no environment variable", cmd, name)
				continue
			}
			if !strings.Contains(usage, "(env "+env+")") {
				t.Errorf("%s -h does not name %s for --%s: %q", cmd, env, name, usage)
			}
			if !slices.ContainsFunc(rows, func(row string) bool {
				return strings.Contains(row, "`--"+name+"`") && strings.Contains(row, "`"+env+"`")
			}) {
				t.Errorf("no row of the README's configuration table has `--%s` and `%s`", name, env)
			}
		}
	}
	for name := range envVars {
		if !seen[name] {
			t.Errorf("%s names a flag --%s that no command has", envVars[name], name)
		}
	}
	known := slices.Concat(secretVars, slices.Collect(maps.Values(envVars)))
	for _, v := range regexp.MustCompile(`\b(?:DANGBO|NEO4J)_[A-Z0-9_]+`).FindAllString(strings.Join(rows, "\n"), -1) {
		if !slices.Contains(known, v) {
			t.Errorf("the README's configuration table has %s, which is neither a flag's variable nor a secret", v)
		}
	}
}

// TestHelpListsCommands: dangbo -h, which is serve's, starts with every command.
func TestHelpListsCommands(t *testing.T) {
	var help bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, &help, &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, cmd := range []string{"dangbo [serve]", "dangbo seed", "dangbo export", "dangbo import", "dangbo token", "-addr"} {
		if !strings.Contains(help.String(), cmd) {
			t.Errorf("dangbo -h does not show %q:\n%s", cmd, help.String())
		}
	}
}
