package main

import (
	"context"
	"flag"
	"io"
	"strconv"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/playground"
	"dangbo/internal/server"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("DANGBO_ADDR", "127.0.0.1:8080"), "listen address (env DANGBO_ADDR)")
	empty := fs.Bool("empty", false, "start with an empty store instead of loading the demo data into an empty one")
	seed := fs.Uint64("demo-seed", envUint("DANGBO_DEMO_SEED", demo.DefaultSeed), "seed of the generated demo data (env DANGBO_DEMO_SEED)")
	maxComplexity := fs.Int("max-complexity", server.DefaultMaxComplexity, "largest query complexity accepted")
	maxDepth := fs.Int("max-depth", server.DefaultMaxDepth, "deepest query nesting accepted")
	noIntrospection := fs.Bool("no-introspection", false, "refuse schema introspection (production)")
	noPlayground := fs.Bool("no-playground", false, "do not serve the GraphQL playground at /")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	store, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if !*empty {
		if err := seedDemo(ctx, store, *seed, log); err != nil {
			return err
		}
	}
	cfg := server.Config{
		Store: store, Service: org.NewService(store, nil), Log: log,
		MaxComplexity: *maxComplexity, MaxDepth: *maxDepth, NoIntrospection: *noIntrospection,
	}
	if !*noPlayground {
		cfg.Playground = playground.New(playground.Options{Endpoint: "/graphql", Examples: examples})
	}
	return server.Serve(ctx, *addr, server.NewHandler(cfg), log)
}

func envUint(key string, def uint64) uint64 {
	if v, err := strconv.ParseUint(envOr(key, ""), 10, 64); err == nil {
		return v
	}
	return def
}

// examples open as tabs in the playground on a first visit.
var examples = []playground.Example{
	{Name: "Thống kê các tỉnh", Query: `query Provinces {
  roots {
    id
    name
    statistics {
      districtCount
      grassrootsCount
      grassrootsCommitteeCount
      grassrootsCellCount
      cellCount
      memberCount
      officialCount
      probationaryCount
    }
  }
}`},
	{Name: "Cấp trên cơ sở của một tỉnh", Query: `query Districts {
  roots {
    name
    children(first: 30) {
      totalCount
      edges {
        node { id name kind sector childCount memberCount }
      }
    }
  }
}`},
	{Name: "Tìm kiếm không dấu, kèm đường dẫn từ gốc", Query: `query Search($text: String!) {
  search(text: $text, first: 5) {
    score
    path { name }
    node {
      __typename
      ... on Org {
        id
        name
        kind
        statistics { grassrootsCommitteeCount grassrootsCellCount cellCount memberCount }
      }
      ... on Member { id fullName status cell { name } }
    }
  }
}`, Variables: `{"text": "khoi cac co quan tinh"}`},
	{Name: "Xã Tam Hồng: các chi bộ theo lĩnh vực", Query: `query Commune($text: String!) {
  search(text: $text, first: 1, types: [ORG]) {
    node {
      ... on Org {
        name
        statistics { cellCount memberCount cellsBySector { sector count } }
        children(first: 20) { edges { node { name sector memberCount } } }
      }
    }
  }
}`, Variables: `{"text": "tam hong"}`},
}
