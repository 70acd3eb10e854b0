package neo4j

import (
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestStatementSpans: each statement is a span named by its .cypher file,
// under the caller's span.
func TestStatementSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	s, f := loaded(t)
	s.tracer = tp.Tracer("test")
	f.reset()
	exp.Reset()
	parentCtx, parent := tp.Tracer("test").Start(ctx, "caller")
	if _, err := service(s).RenameOrg(parentCtx, "c1", "Chi bộ thôn Đông Mới", decision("12-QĐ/ĐU", "gc")); err != nil {
		t.Fatal(err)
	}
	parent.End()
	var names []string
	for _, sp := range exp.GetSpans() {
		if sp.Name == "caller" {
			continue
		}
		names = append(names, sp.Name)
		if sp.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("%s is not under the caller's span", sp.Name)
		}
		if !slices.Contains(sp.Attributes, attribute.String("db.system.name", "neo4j")) {
			t.Errorf("%s: attributes %v", sp.Name, sp.Attributes)
		}
	}
	var want []string
	for _, name := range f.names() {
		want = append(want, "neo4j "+name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("spans %v, statements %v", names, want)
	}
}
