package server

import (
	"context"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"dangbo/internal/org"
)

// maxOperationNames bounds the operation-name label: clients choose names,
// and each new one would add a series per histogram bucket. The first ones
// seen keep their name; later ones count as "other".
const maxOperationNames = 200

// operationBuckets span a small cached query (a few milliseconds) to the
// request deadline.
var operationBuckets = []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// storeBuckets span a lookup in memory (a tenth of a millisecond) to a
// whole province's import.
var storeBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 30}

// Metrics are the service's Prometheus metrics, in a registry of their own
// so that two servers in one process (tests) do not collide.
type Metrics struct {
	registry   *prometheus.Registry
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	rootFields *prometheus.HistogramVec
	sockets    prometheus.Gauge
	cache      *prometheus.CounterVec
	http       *prometheus.CounterVec
	storeCalls *prometheus.HistogramVec

	mu    sync.Mutex
	names map[string]bool
}

// NewMetrics creates the metrics, with the Go runtime's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dangbo_graphql_operations_total",
			Help: "GraphQL operations answered, by operation name and outcome (OK or the first error's extensions.code).",
		}, []string{"operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dangbo_graphql_operation_duration_seconds",
			Help:    "Time from a GraphQL operation's start to its answer, by operation name.",
			Buckets: operationBuckets,
		}, []string{"operation"}),
		rootFields: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dangbo_graphql_root_field_duration_seconds",
			Help:    "Time to resolve a root field (query.orgChart, mutation.applyScenario …) with everything below it, by field.",
			Buckets: operationBuckets,
		}, []string{"field"}),
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dangbo_websocket_connections",
			Help: "GraphQL websocket connections open.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dangbo_graphql_cache_lookups_total",
			Help: "Lookups in gqlgen's caches: parsed documents, and persisted queries by hash; by result (hit or miss).",
		}, []string{"cache", "result"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dangbo_http_requests_total",
			Help: "HTTP requests to the API, by endpoint and status, those refused before GraphQL runs (401, 413, 429) included.",
		}, []string{"handler", "code"}),
		storeCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dangbo_store_call_duration_seconds",
			Help:    "Time of a call to the store (Children, Search, Update …), by method and outcome (OK or the error's code).",
			Buckets: storeBuckets,
		}, []string{"method", "code"}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.operations, m.duration, m.rootFields, m.sockets, m.cache, m.http, m.storeCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// register adds what cfg's parts count: the store's size, the limits' refusals.
func (m *Metrics) register(cfg *Config) {
	m.registry.MustRegister(storeSize{store: cfg.Store, today: cfg.Service.Now})
	refused := func(reason string, count func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "dangbo_requests_refused_total",
			Help:        "Requests (and websocket operations) refused by a per-caller limit, by limit.",
			ConstLabels: prometheus.Labels{"limit": reason},
		}, func() float64 { return float64(count()) })
	}
	if cfg.RateLimit != nil {
		m.registry.MustRegister(refused("rate", cfg.RateLimit.Refused))
	}
	if cfg.InFlight != nil {
		m.registry.MustRegister(refused("in_flight", cfg.InFlight.Refused))
	}
	if wh, ok := cfg.Store.(org.WriteHealth); ok {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dangbo_store_writes_failing",
			Help: "1 while the store's writes fail for the state of its machine (a full disk) and its reads are served, else 0.",
		}, func() float64 {
			if _, err := wh.WriteFailure(); err != nil {
				return 1
			}
			return 0
		}))
	}
	m.registry.MustRegister(refused("streams", cfg.Service.StreamsRefused),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dangbo_graphql_streams",
			Help: "Subscriptions streaming now (over websockets and server-sent events).",
		}, func() float64 { return float64(cfg.Service.OpenStreams()) }))
}

// CountStructures exports count, how many times the store built the whole
// structure on a date for readers (the embedded store's StructuresBuilt):
// what reads as of many dates cost, which the cost model charges.
func (m *Metrics) CountStructures(count func() uint64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dangbo_store_structures_built_total",
		Help: "Structures of a whole date the embedded store built for reads as of a date not among the eight it keeps.",
	}, func() float64 { return float64(count()) }))
}

// operationName is the label of an operation: its name in the document,
// "anonymous" without one, "invalid" when the request did not get as far as
// a valid operation (a parse or validation failure, a refusal before them),
// "other" past maxOperationNames.
func (m *Metrics) operationName(ctx context.Context) string {
	op := operation(ctx)
	if op == nil {
		return "invalid"
	}
	name := op.Name
	if name == "" {
		return "anonymous"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}

// Observe times a store call (observed.Observer): wrap the service's store
// with observed.Wrap(store, metrics).
func (m *Metrics) Observe(ctx context.Context, method string) (context.Context, func(error)) {
	start := time.Now()
	return ctx, func(err error) {
		code := "OK"
		if err != nil {
			code = org.ErrorCode(err)
		}
		m.storeCalls.WithLabelValues(method, code).Observe(time.Since(start).Seconds())
	}
}

// countSockets keeps the websocket gauge: gqlgen serves a socket within the
// handshake's request, so the handler returns when the socket closes.
func (m *Metrics) countSockets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebsocket(r.Header) {
			m.sockets.Inc()
			defer m.sockets.Dec()
		}
		next.ServeHTTP(w, r)
	})
}

// countHTTP counts the requests to an API endpoint by status.
func (m *Metrics) countHTTP(handler string, next http.Handler) http.Handler {
	return promhttp.InstrumentHandlerCounter(m.http.MustCurryWith(prometheus.Labels{"handler": handler}), next)
}

// operationMetrics is the gqlgen extension that counts and times each
// answer, those refused before they run included, and times root fields:
// the schema bounds their names, and each times the resolvers below it.
type operationMetrics struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = operationMetrics{}

func (o operationMetrics) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	start := time.Now()
	defer func() {
		// RootFieldContext.Object holds the field's name too, not its type.
		field := string(operation(ctx).Operation) + "." + graphql.GetRootFieldContext(ctx).Field.Name
		o.m.rootFields.WithLabelValues(field).Observe(time.Since(start).Seconds())
	}()
	return next(ctx)
}

func (operationMetrics) ExtensionName() string                   { return "OperationMetrics" }
func (operationMetrics) Validate(graphql.ExecutableSchema) error { return nil }

func (o operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	if graphql.HasOperationContext(ctx) {
		start = graphql.GetOperationContext(ctx).Stats.OperationStart
	}
	resp := next(ctx)
	if resp == nil {
		return nil // a subscription's stream ended: its answers were counted
	}
	code := "OK"
	if len(resp.Errors) > 0 {
		code = "INTERNAL"
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
	}
	name := o.m.operationName(ctx)
	o.m.operations.WithLabelValues(name, code).Inc()
	o.m.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	return resp
}

// countedCache counts the hits and misses of a gqlgen cache.
type countedCache[T any] struct {
	graphql.Cache[T]
	hits, misses prometheus.Counter
}

func (c countedCache[T]) Get(ctx context.Context, key string) (T, bool) {
	v, ok := c.Cache.Get(ctx, key)
	if ok {
		c.hits.Inc()
	} else {
		c.misses.Inc()
	}
	return v, ok
}

// countCache is cache, counted under name when there are metrics.
func countCache[T any](m *Metrics, name string, cache graphql.Cache[T]) graphql.Cache[T] {
	if m == nil {
		return cache
	}
	return countedCache[T]{cache, m.cache.WithLabelValues(name, "hit"), m.cache.WithLabelValues(name, "miss")}
}

// storeSize reports, at each scrape, the organisations and members the store
// holds today, from the counts every write keeps: one read of the roots.
type storeSize struct {
	store org.Store
	today func() org.View
}

var (
	orgsDesc = prometheus.NewDesc("dangbo_store_organisations",
		"Organisations in the store today, by kind.", []string{"kind"}, nil)
	membersDesc = prometheus.NewDesc("dangbo_store_members",
		"Members in the store today, by status.", []string{"status"}, nil)
)

func (storeSize) Describe(ch chan<- *prometheus.Desc) { ch <- orgsDesc; ch <- membersDesc }

func (s storeSize) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	roots, err := s.store.Roots(ctx, s.today())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(orgsDesc, err)
		return
	}
	var byKind [org.NumKinds]int32
	var official, probationary int32
	for _, r := range roots {
		byKind[r.Kind]++ // the root itself; ByKind counts below it
		for k, n := range r.Counts.ByKind {
			byKind[k] += n
		}
		official += r.Counts.Official
		probationary += r.Counts.Probationary
	}
	for k, n := range byKind {
		ch <- prometheus.MustNewConstMetric(orgsDesc, prometheus.GaugeValue, float64(n), org.Kind(k).String())
	}
	ch <- prometheus.MustNewConstMetric(membersDesc, prometheus.GaugeValue, float64(official), "OFFICIAL")
	ch <- prometheus.MustNewConstMetric(membersDesc, prometheus.GaugeValue, float64(probationary), "PROBATIONARY")
}

// AdminHandler serves what only operators may reach: /metrics and the
// profiler under /debug/pprof/. Serve it on an address of its own, never on
// the public one.
func AdminHandler(m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
