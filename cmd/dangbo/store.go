package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/store/memory"
	"dangbo/internal/store/neo4j"
)

// storeFlags choose and configure the store; every command takes them.
type storeFlags struct {
	data          string
	neo4jURI      string
	neo4jUser     string
	neo4jPassword string
	neo4jDatabase string
	logLevel      string
	logFormat     string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data directory of the embedded store")
	fs.StringVar(&f.neo4jURI, "neo4j-uri", "", "use Neo4j at this URI (bolt://, neo4j://, neo4j+s://) instead of the embedded store")
	fs.StringVar(&f.neo4jUser, "neo4j-user", "neo4j", "Neo4j user")
	fs.StringVar(&f.neo4jDatabase, "neo4j-database", "", "Neo4j database; empty for the server's default")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "text or json")
	f.neo4jPassword = os.Getenv("NEO4J_PASSWORD") // a secret: see secretVars
}

func (f *storeFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(f.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is neither text nor json", f.logFormat)
}

// open opens the chosen store.
func (f *storeFlags) open(ctx context.Context, log *slog.Logger) (org.Store, error) {
	return f.openFor(ctx, log, "")
}

// openFor opens the chosen store for command; an embedded one only to
// import into it and close it for "import" (memory.OpenForImport), only to
// read it for "export" (memory.OpenForExport).
func (f *storeFlags) openFor(ctx context.Context, log *slog.Logger, command string) (org.Store, error) {
	switch {
	case f.neo4jURI == "" && command == "import":
		return memory.OpenForImport(f.data, log)
	case f.neo4jURI == "" && command == "export":
		return memory.OpenForExport(f.data, log)
	case f.neo4jURI == "":
		return memory.Open(f.data, log)
	}
	log.Info("using Neo4j", "uri", f.neo4jURI, "database", f.neo4jDatabase)
	return neo4j.Open(ctx, neo4j.Config{URI: f.neo4jURI, User: f.neo4jUser, Password: f.neo4jPassword, Database: f.neo4jDatabase, Log: log})
}

// isNew tells whether serve may seed the store: an embedded store only when
// it created its file. One that exists without organisations was emptied or
// its first load was interrupted; filling it with the demo unasked would
// serve made-up data where real data is expected.
func isNew(store org.Store, log *slog.Logger) bool {
	if m, ok := store.(*memory.Store); ok && !m.Created() {
		if empty, err := m.Empty(context.Background()); err == nil && empty {
			log.Warn("the store holds no organisation and is not new: the demo is not loaded into it; " +
				"load data with `dangbo import FILE` or the demo with `dangbo seed`")
		}
		return false
	}
	return true
}

// demoFlags choose the demo a new store is seeded with.
type demoFlags struct {
	seed     *uint64
	national *bool
	scale    *float64
}

func (f *demoFlags) register(fs *flag.FlagSet) {
	f.seed = fs.Uint64("demo-seed", demo.DefaultSeed, "seed of the generated demo data")
	f.national = fs.Bool("national", false, "the national demo instead: 34 provinces since the 2025 reform, about 5.5 million members (needs about 13 GB of memory)")
	f.scale = fs.Float64("national-scale", 1, "size of the national demo: 1 the whole country, 0.25 a quarter of its members")
}

// records are the demo's records; the national demo builds them in the
// background until ctx ends.
func (f *demoFlags) records(ctx context.Context) (org.RecordReader, error) {
	if !*f.national {
		return demo.Generate(*f.seed).Reader(), nil
	}
	if !(*f.scale > 0 && *f.scale <= 4) {
		return nil, fmt.Errorf("--national-scale %v: want a scale above 0 and at most 4", *f.scale)
	}
	return demo.National(ctx, *f.seed, *f.scale), nil
}

// seedDemo loads the demo dataset into store if it is empty, as the system.
func seedDemo(ctx context.Context, store org.Store, df demoFlags, log *slog.Logger) error {
	empty, err := store.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	ctx, stop := context.WithCancel(ctx) // a failed import stops the building
	defer stop()
	records, err := df.records(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	svc := newService(store, log)
	stats, err := svc.Import(org.WithPrincipal(ctx, org.System), records)
	if err != nil {
		return fmt.Errorf("loading the demo data: %w", err)
	}
	took := time.Since(start)
	log.Info("demo data loaded", "orgs", stats.Orgs, "members", stats.Members, "changes", stats.Changes, "took", took.Round(time.Millisecond),
		"members_per_second", int(float64(stats.Members)/took.Seconds()))
	return nil
}

// newService is the domain service over store, logging what it cannot
// return through the command's logger.
func newService(store org.Store, log *slog.Logger) *org.Service {
	svc := org.NewService(store, nil)
	svc.SetLogger(log)
	return svc
}
