// Package server is dangbo's HTTP face: the GraphQL endpoint, the playground,
// health checks, and the limits that keep one client from exhausting the service.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/internal/org"
)

// Config configures the handler. Zero limits take the defaults below.
type Config struct {
	Store   org.Store
	Service *org.Service
	Log     *slog.Logger
	// MaxComplexity bounds a query's cost: one per field, multiplied by the
	// page size of the lists it sits in.
	MaxComplexity int
	// MaxDepth bounds how deeply selections nest (introspection excepted).
	MaxDepth int
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// RequestTimeout bounds the time one HTTP request may take.
	RequestTimeout time.Duration
	// NoIntrospection turns off schema introspection (and with it the playground's
	// documentation explorer), as production deployments may want.
	NoIntrospection bool
	// Playground serves the GraphQL playground at "/" when set.
	Playground http.Handler
	// Resolvers answers the schema; nil for the resolvers over Service. The
	// benchmarks plug in static answers here to measure gqlgen's own cost.
	Resolvers generated.ResolverRoot
}

// Defaults for the limits of Config.
const (
	DefaultMaxComplexity  = 25_000
	DefaultMaxDepth       = 12
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
)

func (c *Config) setDefaults() {
	if c.MaxComplexity == 0 {
		c.MaxComplexity = DefaultMaxComplexity
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Resolvers == nil {
		c.Resolvers = &graph.Resolver{Service: c.Service}
	}
}

// NewHandler returns the service's HTTP handler.
func NewHandler(cfg Config) http.Handler {
	cfg.setDefaults()
	mux := http.NewServeMux()
	mux.Handle("/graphql", withLoaders(cfg.Service, limitBody(cfg.MaxBodyBytes, newGraphQL(&cfg))))
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
		_, _ = w.Write([]byte("ready\n"))
	})
	if cfg.Playground != nil {
		mux.Handle("/", cfg.Playground)
	}
	return accessLog(cfg.Log, withTimeout(cfg.RequestTimeout, mux))
}

// newGraphQL is the GraphQL endpoint: POST, GET and websocket transports.
func newGraphQL(cfg *Config) http.Handler {
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers:  cfg.Resolvers,
		Complexity: complexity(),
	})
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 15 * time.Second})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if !cfg.NoIntrospection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.Use(depthLimit{max: cfg.MaxDepth})
	srv.SetErrorPresenter(presentError(cfg.Log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Log.ErrorContext(ctx, "resolver panicked", "panic", p, "path", graphql.GetPath(ctx).String())
		return errors.New("panic in resolver")
	})
	return srv
}

// Serve serves h on addr until ctx is done, then shuts down gracefully:
// new connections are refused and requests in flight get time to finish.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h, log)
}

// ServeListener is Serve on a listener the caller opened.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
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
