// Package server is dangbo's HTTP face: the GraphQL endpoint, the playground,
// health checks, and the limits that keep one client from exhausting the service.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/netutil"

	"dangbo/graph"
	"dangbo/graph/compiled"
	"dangbo/graph/generated"
	"dangbo/internal/auth"
	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// Config configures the handler. Zero limits take the defaults below.
type Config struct {
	Store   org.Store
	Service *org.Service
	// Scenarios are Service's; when nil, the handler makes them over Store.
	Scenarios *scenario.Service
	Log       *slog.Logger
	// Limits bound a query by the caller's most privileged role; zero for
	// DefaultLimits.
	Limits map[org.AccessRole]Limits
	// MaxComplexity and MaxDepth, when set, cap every role's limits.
	MaxComplexity int
	MaxDepth      int
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// RequestTimeout bounds the time one HTTP request may take.
	RequestTimeout time.Duration
	// MaxResponseBytes bounds the data of one GraphQL answer.
	MaxResponseBytes int
	// NoIntrospection turns off schema introspection (and with it the playground's
	// documentation explorer), as production deployments may want.
	NoIntrospection bool
	// Playground serves the GraphQL playground at "/" when set.
	Playground http.Handler
	// ChartViewer serves the org chart viewer at "/chart" and below when set.
	ChartViewer http.Handler
	// Auth puts the caller's principal into the context of every GraphQL
	// request and websocket connection, and refuses those without a valid
	// token. Nil lets everyone through without a principal; the binary always
	// sets it.
	Auth *auth.Authenticator
	// RateLimit bounds each caller's GraphQL requests; nil for no bound.
	RateLimit *auth.RateLimiter
	// InFlight bounds each caller's requests running at once; nil for no bound.
	InFlight *auth.InFlight
	// AllowedQueries, when not nil, are the only queries the service runs, by
	// the hex SHA-256 of their text (see LoadAllowList).
	AllowedQueries map[string]string
	// Metrics, when set, count the service's work; serve them with
	// AdminHandler on an address of their own.
	Metrics *Metrics
	// Tracing, when set, traces each HTTP request, GraphQL operation and
	// resolver (telemetry.FromEnv); wrap the service's store with
	// telemetry.StoreSpans to trace its calls too. Nil: no tracing, at no cost.
	Tracing trace.TracerProvider
	// CORS opens the service to pages of other origins; off when empty.
	CORS CORS
	// Resolvers answers the schema; nil for the resolvers over Service. The
	// benchmarks plug in static answers here to measure gqlgen's own cost.
	Resolvers generated.ResolverRoot
	// GqlgenLists writes every list through gqlgen's own execution instead of
	// the marshallers compiled for a chart's nodes and links (graph/compiled):
	// for the tests and benchmarks that compare the two.
	GqlgenLists bool
}

// Limits bound one query: its complexity (one per field, multiplied by the page
// size of the lists it sits in) and how deeply its selections nest
// (introspection excepted).
type Limits struct {
	Complexity int
	Depth      int
}

// DefaultLimits grow with what a role does: a viewer reads pages, an admin
// reads and exports whole provinces.
var DefaultLimits = map[org.AccessRole]Limits{
	org.Viewer:    {Complexity: 10_000, Depth: 10},
	org.Officer:   {Complexity: 15_000, Depth: 12},
	org.Organiser: {Complexity: 25_000, Depth: 12},
	org.Admin:     {Complexity: 50_000, Depth: 16},
}

// Defaults for the other limits of Config.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxResponseBytes holds a whole province's chart with its links
	// as objects several times over.
	DefaultMaxResponseBytes = 32 << 20
)

// limitsFor are the limits of the caller in ctx: those of their most
// privileged role, under the caps; a caller without a principal gets a
// viewer's (and is refused by the service anyway).
func (c *Config) limitsFor(ctx context.Context) Limits {
	l := c.Limits[org.Viewer]
	if p, ok := org.PrincipalFrom(ctx); ok {
		for _, r := range p.Roles {
			if rl := c.Limits[r]; rl.Complexity > l.Complexity {
				l = rl
			}
		}
	}
	if c.MaxComplexity > 0 {
		l.Complexity = min(l.Complexity, c.MaxComplexity)
	}
	if c.MaxDepth > 0 {
		l.Depth = min(l.Depth, c.MaxDepth)
	}
	return l
}

func (c *Config) setDefaults() {
	if c.Limits == nil {
		c.Limits = DefaultLimits
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Scenarios == nil && c.Service != nil {
		c.Scenarios = scenario.New(c.Service, c.Store)
	}
	if c.Resolvers == nil {
		c.Resolvers = &graph.Resolver{Service: c.Service, ScenarioService: c.Scenarios}
	}
}

// NewHandler returns the service's HTTP handler.
func NewHandler(cfg Config) http.Handler {
	cfg.setDefaults()
	mux := http.NewServeMux()
	// Authentication comes first, so that the rate limit counts per caller;
	// health checks and the playground's page need neither.
	policy := newCORS(cfg.CORS)
	graphQL := authenticated(&cfg, withBookmarks(withLoaders(cfg.Service, limitBody(cfg.MaxBodyBytes, servedRequests(newGraphQL(&cfg, policy))))))
	exports := map[string]http.Handler{"orgchart.csv": exportChartCSV(cfg.Service)}
	for _, f := range []sheetFormat{formatCSV, formatXLSX} {
		exports["members."+string(f)] = exportMembers(cfg.Service, f)
		exports["statistics."+string(f)] = exportStatistics(cfg.Service, f)
		exports["scenario-diff."+string(f)] = exportScenarioDiff(cfg.Service, f)
	}
	if cfg.Metrics != nil {
		cfg.Metrics.register(&cfg)
		graphQL = cfg.Metrics.countHTTP("graphql", cfg.Metrics.countSockets(graphQL))
	}
	mux.Handle("/graphql", graphQL)
	for name, h := range exports {
		h = authenticated(&cfg, h)
		if cfg.Metrics != nil {
			h = cfg.Metrics.countHTTP("export", h)
		}
		mux.Handle("GET /export/"+name, h)
	}
	names := make([]string, 0, len(exports))
	for name := range exports {
		names = append(names, name)
	}
	slices.Sort(names)
	mux.Handle("/export/", unknownExport(names))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := cfg.Store.Ping(ctx); err != nil {
			cfg.Log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(org.ErrorMessage(err) + "\n"))
			return
		}
		// A store that serves reads while its writes fail (a full disk)
		// stays in rotation: taking the only instance out would stop the
		// reads too. The body says it; so does dangbo_store_writes_failing.
		if wh, ok := cfg.Store.(org.WriteHealth); ok {
			if since, err := wh.WriteFailure(); err != nil {
				_, _ = fmt.Fprintf(w, "ready for reads; the store cannot write since %s: %s\n",
					since.UTC().Format(time.RFC3339), org.ErrorMessage(err))
				return
			}
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if cfg.Playground != nil {
		mux.Handle("/", cfg.Playground)
	}
	if cfg.ChartViewer != nil {
		mux.Handle("/chart", cfg.ChartViewer)
		mux.Handle("/chart/", cfg.ChartViewer)
	}
	h := accessLog(cfg.Log, withTimeout(cfg.RequestTimeout, withCORS(policy, mux)))
	if cfg.Tracing != nil {
		h = traced(cfg.Tracing, h)
	}
	return h
}

// authenticated puts the caller's principal in the request's context, then
// applies the caller's rate limit and bound on requests in flight: what every
// API request goes through.
func authenticated(cfg *Config, h http.Handler) http.Handler {
	if cfg.InFlight != nil {
		h = cfg.InFlight.Middleware(h)
	}
	if cfg.RateLimit != nil {
		h = cfg.RateLimit.Middleware(h)
	}
	if cfg.Auth != nil {
		h = cfg.Auth.Middleware(noteSubject(h))
	}
	return h
}

// newGraphQL is the GraphQL endpoint: POST, GET, websocket and server-sent
// events transports.
func newGraphQL(cfg *Config, policy *cors.Cors) http.Handler {
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers:  cfg.Resolvers,
		Directives: graph.Directives,
		Complexity: complexity(),
	})
	srv := handler.New(es)
	// Before the others, so that it sees the answer they shaped.
	srv.Use(requestNote{})
	srv.Use(bookmarkNote{})
	if cfg.Metrics != nil {
		srv.Use(operationMetrics{cfg.Metrics})
	}
	if cfg.Tracing != nil {
		srv.Use(operationTracing{cfg.Tracing.Tracer("dangbo/internal/server")})
	}
	srv.Use(streams{store: cfg.Service})
	ws := transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		// A socket that never says connection_init is closed: the
		// connection limit is otherwise anyone's to fill with silent ones.
		InitTimeout: websocketInitTimeout,
		// A buffer of its own, so that gorilla/websocket reads through
		// socketConn rather than the HTTP server's reader.
		Upgrader: websocket.Upgrader{CheckOrigin: websocketOrigin(policy), ReadBufferSize: 4096},
	}
	if cfg.Auth != nil {
		ws.InitFunc = refusingInit(cfg.Auth.WebsocketInit)
	}
	srv.AddTransport(originChecked{ws, ws.Upgrader.CheckOrigin, cfg.MaxBodyBytes})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(codedGET{})
	srv.AddTransport(sse{transport.SSE{KeepAlivePingInterval: 15 * time.Second}}) // before POST, which takes every POST
	srv.AddTransport(rawDataPOST{})
	documents := sizedEntries(lru.New[*ast.QueryDocument](1000), lru.New[*ast.QueryDocument](32), func(query string, _ *ast.QueryDocument) int { return len(query) })
	srv.SetQueryCache(countCache(cfg.Metrics, "documents", documents))
	if cfg.RateLimit != nil {
		srv.Use(socketRateLimit{cfg.RateLimit})
	}
	if cfg.AllowedQueries != nil {
		srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: countCache(cfg.Metrics, "persisted", graphql.Cache[string](allowListCache(cfg.AllowedQueries)))}})
		srv.Use(allowList(cfg.AllowedQueries))
	} else {
		persisted := sizedEntries(lru.New[string](1000), lru.New[string](32), func(_, query string) int { return len(query) })
		srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: countCache(cfg.Metrics, "persisted", persisted)}})
	}
	// After the persisted queries, which may supply the text.
	srv.Use(documentShape{validated: documents})
	if !cfg.NoIntrospection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(&costLimit{svc: cfg.Service, limit: func(ctx context.Context) int { return cfg.limitsFor(ctx).Complexity }})
	b := budget{maxBytes: cfg.MaxResponseBytes}
	srv.Use(b)
	if !cfg.GqlgenLists {
		srv.Use(&compiled.Lists{Pace: b.paceList})
	}
	srv.Use(newLanes())
	srv.Use(depthLimit{limit: func(ctx context.Context) int { return cfg.limitsFor(ctx).Depth }})
	srv.SetErrorPresenter(presentError(cfg.Log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Log.ErrorContext(ctx, "resolver panicked", "request_id", requestIDFrom(ctx), "panic", p, "path", graphql.GetPath(ctx).String())
		return errors.New("panic in resolver")
	})
	return srv
}

// maxConnections bounds the connections open at once (websockets and
// streams included): beyond it new ones wait to be accepted, rather than
// the process running out of file descriptors for its store.
const maxConnections = 10_000

// Serve serves h on ln until ctx is done, then shuts down gracefully: new
// connections are refused and requests in flight get time to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	shutdown := make(chan struct{})
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return withShutdown(context.Background(), shutdown) },
	}
	// Server-sent event streams are requests that never finish by
	// themselves: they end, and their clients reconnect elsewhere, when the
	// server shuts down. (Shutdown leaves hijacked websockets alone.)
	srv.RegisterOnShutdown(func() { close(shutdown) })
	done := make(chan error, 1)
	go func() { done <- srv.Serve(netutil.LimitListener(ln, maxConnections)) }()
	log.Info("listening", "addr", "http://"+ln.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
