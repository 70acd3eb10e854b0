package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"log/slog"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

// parseData parses the flags of a data command and its one FILE argument.
func parseData(name string, args []string, seedFlag bool, stderr io.Writer) (sf storeFlags, file string, df demoFlags, err error) {
	synopsis := "usage: dangbo " + name + " [flags] FILE"
	if seedFlag {
		synopsis = "usage: dangbo seed [flags]"
	}
	fs := newFlagSet(name, synopsis, stderr)
	sf.register(fs)
	df.register(fs)
	if err = parseFlags(fs, args); err != nil {
		return
	}
	switch {
	case seedFlag && fs.NArg() == 0:
	case !seedFlag && fs.NArg() == 1:
		file = fs.Arg(0)
	default:
		err = fmt.Errorf("%s: wrong arguments\n%s", name, usage)
	}
	return sf, file, df, err
}

// asOperator is the context of a command run on the machine: whoever runs it
// can read the data files anyway, so they act as admin, and the audit log
// names them by their account.
func asOperator(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return org.WithPrincipal(ctx, &org.Principal{Subject: "cli:" + name, Roles: []org.AccessRole{org.Admin}, Address: "local"})
}

// withStore parses a data command's arguments, opens the store they name and
// runs fn with it; import and export open it only for what they do.
func withStore(ctx context.Context, name string, args []string, wantFile bool, stderr io.Writer,
	fn func(store org.Store, log *slog.Logger, file string, df demoFlags) error) error {
	sf, file, df, err := parseData(name, args, !wantFile, stderr)
	if err != nil {
		return err
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	store, err := sf.openFor(ctx, log, name)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(store, log, file, df)
}

func seed(ctx context.Context, args []string, stderr io.Writer) error {
	return withStore(ctx, "seed", args, false, stderr, func(store org.Store, log *slog.Logger, _ string, df demoFlags) error {
		return seedDemo(ctx, store, df, log)
	})
}

func exportData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withStore(ctx, "export", args, true, stderr, func(store org.Store, log *slog.Logger, file string, _ demoFlags) error {
		out := stdout
		if file != "-" {
			f, err := os.Create(file)
			if err != nil {
				return err
			}
			defer f.Close()
			out = f
		}
		w := dataset.NewWriter(out)
		start := time.Now()
		if err := newService(store, log).Export(asOperator(ctx), w); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		log.Info("exported", "file", file, "took", time.Since(start).Round(time.Millisecond))
		if f, ok := out.(*os.File); ok && f != os.Stdout {
			return f.Sync()
		}
		return nil
	})
}

func importData(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	return withStore(ctx, "import", args, true, stderr, func(store org.Store, log *slog.Logger, file string, _ demoFlags) error {
		in := stdin
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		start := time.Now()
		stats, err := newService(store, log).Import(asOperator(ctx), dataset.NewReader(in))
		if err != nil {
			return err
		}
		took := time.Since(start)
		log.Info("imported", "orgs", stats.Orgs, "members", stats.Members, "changes", stats.Changes, "took", took.Round(time.Millisecond),
			"members_per_second", int(float64(stats.Members)/took.Seconds()))
		return nil
	})
}
