package benchmarks

import (
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"dangbo/internal/org"
	"dangbo/internal/server"
	"dangbo/internal/store/observed"
	"dangbo/internal/telemetry"
)

// BenchmarkTracingHTTP: a 50-child page with counts over HTTP, 32 clients,
// with tracing on (every span recorded and batched to an exporter that drops
// them) against tracing off, as the binary runs without OTEL_* variables:
// nothing wrapped. The ratio is what tracing costs when on.
func BenchmarkTracingHTTP(b *testing.B) {
	store, svc := loadDemo(b)
	off := httptest.NewServer(handler(b, server.Config{Store: store, Service: svc}))
	b.Cleanup(off.Close)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(b.Context()) })
	traced := observed.Wrap(store, telemetry.NewStoreSpans(tp))
	on := httptest.NewServer(handler(b, server.Config{Store: traced, Service: org.NewService(traced, nil), Tracing: tp}))
	b.Cleanup(on.Close)
	body := graphqlBody(childrenQuery, map[string]any{"id": find(b, svc, "khoi cac co quan tinh").ID})
	compare(b, target{off.URL + "/graphql", ""}, target{on.URL + "/graphql", ""}, body, "off-req/s", "on-req/s")
}
