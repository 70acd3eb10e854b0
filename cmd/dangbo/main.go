// Command dangbo serves the structure of a provincial party organisation over
// GraphQL, from an embedded store (default) or from Neo4j.
//
//	dangbo [serve] [flags]      run the service (a new embedded store gets the demo data)
//	dangbo seed [flags]         load the demo data into an empty store and exit
//	dangbo export [flags] FILE  write the whole dataset as NDJSON ("-" for stdout)
//	dangbo import [flags] FILE  load an NDJSON dataset into an empty store ("-" for stdin)
//	dangbo token [flags]        print a token signed with DANGBO_JWT_SECRET
//
// Every flag has an environment variable; see -h of each command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dangbo:", err)
		}
		os.Exit(1)
	}
}

// run dispatches to a subcommand; serve when none is named.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch name {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "seed":
		return seed(ctx, args, stderr)
	case "export":
		return exportData(ctx, args, stdout, stderr)
	case "import":
		return importData(ctx, args, os.Stdin, stderr)
	case "token":
		return mintToken(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", name, usage)
}

const usage = `usage:
  dangbo [serve] [flags]      run the service (a new embedded store gets the demo data)
  dangbo seed [flags]         load the demo data into an empty store and exit
  dangbo export [flags] FILE  write the whole dataset as NDJSON ("-" for stdout)
  dangbo import [flags] FILE  load an NDJSON dataset into an empty store ("-" for stdin)
  dangbo token --role R [--role R2] [--org ORGID …] --subject S [--ttl 8h]
                              print a token signed with DANGBO_JWT_SECRET
Run "dangbo COMMAND -h" for the flags of a command.`
