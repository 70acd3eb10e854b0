package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"dangbo/internal/auth"
	"dangbo/internal/chartview"
	"dangbo/internal/org"
	"dangbo/internal/playground"
	"dangbo/internal/server"
	"dangbo/internal/store/observed"
	"dangbo/internal/telemetry"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", usage, stderr)
	var sf storeFlags
	sf.register(fs)
	var af authFlags
	af.register(fs)
	jwksURL := fs.String("jwks-url", "", "verify RS256 and ES256 tokens with this identity provider's JWK Set")
	dev := fs.Bool("dev", false, "development mode: requests without a token run as admin, and a token per demo role is printed; never with real data")
	perSecond := fs.Float64("rate", 20, "GraphQL requests per second per caller; 0 for no limit")
	burst := fs.Int("burst", 40, "GraphQL requests a caller may make at once")
	inFlight := fs.Int("max-in-flight", 4, "GraphQL requests and exports a caller may have running at once; more wait up to 2 s, then get 429; 0 for no limit")
	maxStreams := fs.Int("max-streams", 8, "subscriptions a caller may have streaming at once (websockets and server-sent events); more get LIMIT_EXCEEDED; 0 for no limit")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	empty := fs.Bool("empty", false, "start with an empty store instead of loading the demo data into an empty one")
	var df demoFlags
	df.register(fs)
	maxComplexity := fs.Int("max-complexity", 0, "cap on every role's query complexity (0: the roles' own limits)")
	maxDepth := fs.Int("max-depth", 0, "cap on every role's query nesting (0: the roles' own limits)")
	noIntrospection := fs.Bool("no-introspection", false, "refuse schema introspection (production)")
	noPlayground := fs.Bool("no-playground", false, "do not serve the GraphQL playground at /")
	noChart := fs.Bool("no-chart", false, "do not serve the org chart viewer at /chart")
	maxChartNodes := fs.Int("max-chart-nodes", org.DefaultChartLimit, "most nodes an orgChart or CSV export may hold; larger charts fail and are loaded lazily")
	maxResponseBytes := fs.Int("max-response-bytes", server.DefaultMaxResponseBytes, "most bytes of data one GraphQL answer may hold; a larger one fails with LIMIT_EXCEEDED")
	allowList := fs.String("persisted-queries", "", "run only the queries of this allow-list: a JSON object from each query's SHA-256 (hex) to its text")
	corsOrigins := fs.String("cors-origins", "", "origins whose pages may call the API from a browser, comma-separated (scheme://host[:port]), or * for any; empty: none")
	corsCredentials := fs.Bool("cors-credentials", false, "let those pages send cookies and HTTP authentication (never with *); tokens in the Authorization header do not need it")
	adminAddr := fs.String("admin-addr", "", "serve Prometheus metrics (/metrics) and the profiler (/debug/pprof/) on this address, e.g. 127.0.0.1:9090; "+
		"empty: not at all; keep it away from the public")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected arguments %q\n%s", fs.Args(), usage)
	}
	origins, err := server.ParseCORSOrigins(*corsOrigins, *corsCredentials)
	if err != nil {
		return fmt.Errorf("--cors-origins (%s): %w", envVars["cors-origins"], err)
	}
	if af.secret == "" && *jwksURL == "" && !*dev {
		return errors.New("no way to verify tokens: set DANGBO_JWT_SECRET (32 bytes or more) or --jwks-url, " +
			"or try dangbo on your own machine with --dev")
	}
	if *perSecond < 0 || *burst < 1 || *inFlight < 0 || *maxStreams < 0 {
		return errors.New("--rate, --max-in-flight and --max-streams must be 0 or more, --burst 1 or more")
	}
	if *maxResponseBytes < 1 {
		return errors.New("--max-response-bytes must be 1 or more")
	}
	if *maxChartNodes < 1 {
		return errors.New("--max-chart-nodes must be 1 or more")
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	tracing, stopTracing, err := telemetry.FromEnv(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// Spans still batched go out before the process ends.
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTracing(flushCtx); err != nil {
			log.Warn("flushing traces", "err", err)
		}
	}()
	if *dev {
		generate := af.secret == ""
		if generate {
			af.secret = randomSecret()
		}
		warnDev(log, *addr, generate)
	}
	store, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if !*empty && isNew(store, log) {
		if err := seedDemo(ctx, store, df, log); err != nil {
			return err
		}
	}
	authConfig := af.config()
	authConfig.JWKSURL, authConfig.Dev, authConfig.Log = *jwksURL, *dev, log
	authenticator, err := auth.New(ctx, authConfig)
	if err != nil {
		return err
	}
	var metrics *server.Metrics
	var observers []observed.Observer
	if *adminAddr != "" {
		metrics = server.NewMetrics()
		observers = append(observers, metrics)
		if b, ok := store.(interface{ StructuresBuilt() uint64 }); ok {
			metrics.CountStructures(b.StructuresBuilt)
		}
	}
	if tracing != nil {
		observers = append(observers, telemetry.NewStoreSpans(tracing))
		log.Info("tracing on: spans go to the OTLP exporter the OTEL_* variables configure")
	}
	served := observed.Wrap(store, observers...)
	svc := newService(served, log)
	svc.SetChartLimit(*maxChartNodes)
	svc.SetStreamLimit(*maxStreams)
	cfg := server.Config{
		Store: served, Service: svc, Log: log, Auth: authenticator, Metrics: metrics, Tracing: tracing,
		MaxComplexity: *maxComplexity, MaxDepth: *maxDepth, NoIntrospection: *noIntrospection,
		MaxResponseBytes: *maxResponseBytes, CORS: server.CORS{Origins: origins, Credentials: *corsCredentials},
	}
	if *perSecond > 0 {
		cfg.RateLimit = auth.NewRateLimiter(*perSecond, *burst)
	}
	if *inFlight > 0 {
		cfg.InFlight = auth.NewInFlight(*inFlight, 2*time.Second)
	}
	if *allowList != "" {
		if cfg.AllowedQueries, err = server.LoadAllowList(*allowList); err != nil {
			return err
		}
		log.Info("persisted-query allow-list", "queries", len(cfg.AllowedQueries))
	}
	var page func() http.Handler
	if !*noPlayground {
		// The data's tabs search the store, whose first search builds today's
		// tree, seconds at national scale: the page is made after readiness.
		page = sync.OnceValue(func() http.Handler {
			return playground.New(playground.Options{Endpoint: "/graphql", Examples: append(examples, dataExamples(ctx, svc)...)})
		})
		cfg.Playground = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page().ServeHTTP(w, r) })
	}
	if !*noChart {
		cfg.ChartViewer = chartview.New(chartview.Options{Endpoint: "/graphql"})
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	if *adminAddr != "" {
		adminLn, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--admin-addr: %w", err)
		}
		// One server failing stops the other: a service whose metrics went
		// dark would look idle to its operators.
		g.Go(func() error {
			return server.Serve(ctx, adminLn, server.AdminHandler(cfg.Metrics), log.With("server", "admin"))
		})
	}
	g.Go(func() error { return server.Serve(ctx, ln, server.NewHandler(cfg), log) })
	if *dev {
		// After listening, so that the curl lines name the real port, and
		// beside serving: finding the roles' organisations searches the store.
		g.Go(func() error {
			return printDevTokens(ctx, stdout, authenticator, store, cfg.Service.Now(), "http://"+ln.Addr().String())
		})
	}
	if page != nil {
		go page() // ready for the first visit, most likely
	}
	return g.Wait()
}

// dataExamples are tabs whose variables name organisations of the data, one
// or more for each kind of user: exploring and counting (an organisation of
// the demo's Quảng Ninh, the history of its Kon Tum province), drawing charts
// (the demo's Tam Hồng commune; Quảng Ninh loaded level by level), a scenario
// over Quảng Ninh from its creation to its application, and following that
// province's changes live. A tab is left out when the data has no such
// organisation.
func dataExamples(ctx context.Context, svc *org.Service) []playground.Example {
	find := func(text string) string {
		hits, err := svc.Search(org.WithPrincipal(ctx, org.System), svc.Now(),
			org.SearchQuery{Text: text, First: 1, Types: []org.SearchType{org.SearchOrgs}})
		if err != nil || len(hits) == 0 {
			return ""
		}
		return hits[0].Org.ID
	}
	var out []playground.Example
	bloc := find("khoi cac co quan tinh")
	if bloc != "" {
		out = append(out, playground.Example{Name: "Khám phá một tổ chức: vị trí, số liệu, cấp dưới, vi phạm", Query: `# Where an organisation sits, its counts, a page of its sub-organisations (put
# pageInfo.endCursor into "after" for the next page) and the Charter's findings in
# its subtree; "asOf" (YYYY-MM-DD, null: today) reads any date. The Docs pane explains every field.
query Explore($id: ID!, $asOf: Date, $after: String) {
  org(id: $id, asOf: $asOf) {
    name kind sector establishedOn
    ancestors { name kind }
    statistics { grassrootsCommitteeCount grassrootsCellCount cellCount memberCount officialCount probationaryCount }
    children(first: 10, after: $after) {
      totalCount
      edges { cursor node { id name kind sector childCount memberCount } }
      pageInfo { hasNextPage endCursor }
    }
  }
  violations(within: $id, asOf: $asOf, minSeverity: WARNING) { rule severity subject { name } message basis }
}`, Variables: fmt.Sprintf(`{"id": %q, "asOf": null, "after": null}`, bloc)})
	}
	if id := find("tinh kon tum"); id != "" {
		out = append(out, playground.Example{Name: "Lịch sử sắp xếp tổ chức 2016–2021", Query: `query History($id: ID!) {
  changeSummary(within: $id, since: "2016-08-08", until: "2021-10-26") {
    total established dissolved merged admitted
    counts { type count }
  }
  changes(within: $id, types: [MERGED], first: 5) {
    nodes {
      seq type effectiveOn note
      decision { number date issuer { name } }
      subjects { ... on Org { name kind } }
    }
    pageInfo { hasNextPage endCursor }
  }
  before: org(id: $id, asOf: "2016-08-08") { statistics { cellCount memberCount cellsBySector { sector count } } }
  after: org(id: $id, asOf: "2021-10-25") { statistics { cellCount memberCount cellsBySector { sector count } } }
}`, Variables: fmt.Sprintf(`{"id": %q}`, id)})
	}
	if id := find("xa tam hong"); id != "" {
		out = append(out, playground.Example{Name: "Sơ đồ tổ chức: nút, liên kết nơi cư trú, dạng cột", Query: `query Chart($id: ID!) {
  orgChart(rootId: $id) {
    nodes { id parentId name kind sector depth childCount memberCount officialCount probationaryCount }
    links { from to type memberCount }
    columns { ids parentIds names memberCounts }
  }
}`, Variables: fmt.Sprintf(`{"id": %q}`, id)})
	}
	province := find("tinh quang ninh")
	if province != "" && bloc != "" {
		out = append(out, playground.Example{Name: "Sơ đồ lớn, tải dần: tỉnh trước, từng nhánh khi mở", Query: `# A chart too large to draw at once loads lazily: run Top for the province and its
# district-level committees, then Expand for the node a user opens (its id in "expand";
# pageInfo.endCursor into "after" for the next page). hasChildren says where to draw
# an expand button.
query Top($province: ID!) {
  orgChart(rootId: $province, depth: 1) {
    nodes { id parentId name kind sector depth childCount hasChildren memberCount }
  }
}

query Expand($expand: ID!, $after: String) {
  org(id: $expand) {
    name
    children(first: 50, after: $after) {
      totalCount
      edges { node { id name kind sector childCount hasChildren memberCount } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`, Variables: fmt.Sprintf(`{"province": %q, "expand": %q, "after": null}`, province, bloc)})
	}
	if province != "" {
		today := svc.Now().At.String()
		out = append(out, playground.Example{Name: "Phương án bỏ cấp huyện: tạo, so sánh, thực hiện", Query: `# A scenario (phương án) from its creation to its application, on the province:
# 1. Run CreateScenario and put its id in the variables as "scenario".
# 2. Run AddFlattenLevel: the district-level committees end (blocs and armed forces stay)
#    and their grassroots organisations move up to the province.
# 3. Run Compare: the province as if the district level were abolished, and the findings
#    the scenario brings (an ERROR one would block applying it).
# 4. Run ApplyScenario: performed for real, by the province's decision in "decision".
#    It changes the live data; a decision number serves one operation only.
# 5. Run History: what the application recorded.
mutation CreateScenario($province: ID!) {
  createScenario(name: "Bỏ cấp huyện", within: $province) { id name baseAsOf status }
}

mutation AddFlattenLevel($scenario: ID!, $province: ID!) {
  addScenarioOperations(id: $scenario, operations: [{flattenLevel: {kind: DISTRICT, within: $province}}]) {
    operations { key type applied error changeCount }
  }
}

query Compare($scenario: ID!, $province: ID!) {
  statistics(orgId: $province, scenario: $scenario) { districtCount grassrootsCount memberCount }
  scenarioDiff(id: $scenario) {
    figures { name asIs toBe net }
    nodes { id changes memberDelta before { name } after { name parent { name } } }
    violationsAdded { rule severity subject { name } message operationKey }
  }
}

mutation ApplyScenario($scenario: ID!, $decision: DecisionInput!) {
  applyScenario(id: $scenario, decision: $decision) {
    scenario { status appliedOn applied { number date issuer { name } } }
    changes { seq type effectiveOn }
  }
}

query History($province: ID!, $since: Date!) {
  changeSummary(within: $province, since: $since) { total counts { type count } }
  statistics(orgId: $province) { districtCount grassrootsCount memberCount }
}`, Variables: fmt.Sprintf(`{"province": %q, "scenario": "", "decision": {"number": "01-QĐ/TU", "date": %q, "issuerId": %q}, "since": %q}`,
			province, today, province, today)})
	}
	if province != "" {
		out = append(out, playground.Example{Name: "Theo dõi thay đổi trực tiếp", Query: `# The changes recorded within an organisation's subtree, live, as they commit. Run it:
# the result pane waits, then shows each change as it arrives. To see one arrive, keep this
# window open and record a change from elsewhere: the playground in a second browser
# window (a tab of this one would stop the subscription), e.g. the scenario tab's
# operations, or a request with curl. "after" (a seq) first replays what was missed.
# Over a websocket with the Headers tab's token; the button stops it.
subscription Live($within: ID, $types: [ChangeType!]) {
  changes(within: $within, types: $types) {
    seq type effectiveOn note
    decision { number date issuer { name } }
    subjects { ... on Org { id name kind } ... on Member { id fullName } }
  }
}`, Variables: fmt.Sprintf(`{"within": %q, "types": null}`, province)})
	}
	return out
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
    totalCount
    totalCountIsExact
    edges {
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
    pageInfo { hasNextPage endCursor }
  }
}`, Variables: `{"text": "khoi cac co quan tinh"}`},
	{Name: "Xã Tam Hồng: các chi bộ theo lĩnh vực", Query: `query Commune($text: String!) {
  search(text: $text, first: 1, types: [ORG]) {
    nodes {
      ... on Org {
        name
        statistics { cellCount memberCount cellsBySector { sector count } }
        children(first: 20) { edges { node { name sector memberCount } } }
      }
    }
  }
}`, Variables: `{"text": "tam hong"}`},
}
