package server

import (
	"slices"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestTracing checks the span tree of one query: the HTTP request, the
// operation under it, a span for each resolver that reads the store (none
// for a struct's fields, nor for resolvers that read nothing: Org.code,
// Org.endedOn), and the store's calls under the resolver that made them.
func TestTracing(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	s := newTestServer(t, Config{Tracing: tp})
	_, _, commune, _, _ := s.commune()
	exp.Reset()
	r := s.post(`query Explore($id: ID!) { org(id: $id) { name code endedOn children(first: 5) { totalCount edges { node { name code } } } } }`,
		map[string]any{"id": commune})
	s.data(r, &struct{}{})

	spans := exp.GetSpans()
	byID := map[string]tracetest.SpanStub{}
	for _, sp := range spans {
		byID[sp.SpanContext.SpanID().String()] = sp
	}
	// path is a span's name with its ancestors', from the root.
	path := func(sp tracetest.SpanStub) string {
		names := []string{sp.Name}
		for sp.Parent.IsValid() {
			p, ok := byID[sp.Parent.SpanID().String()]
			if !ok {
				break
			}
			names = append(names, p.Name)
			sp = p
		}
		slices.Reverse(names)
		return strings.Join(names, " > ")
	}
	var got []string
	for _, sp := range spans {
		got = append(got, path(sp))
	}
	slices.Sort(got)
	got = slices.Compact(got)
	want := []string{
		"POST /graphql",
		"POST /graphql > query Explore",
		"POST /graphql > query Explore > Query.org",
		"POST /graphql > query Explore > Query.org > Org.children",
		"POST /graphql > query Explore > Query.org > Org.children > store.Children",
		"POST /graphql > query Explore > Query.org > store.Org",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no span %q among\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if strings.HasSuffix(g, ".name") || strings.HasSuffix(g, ".totalCount") || strings.HasSuffix(g, ".edges") ||
			strings.HasSuffix(g, ".code") || strings.HasSuffix(g, ".endedOn") {
			t.Errorf("a span for a struct's field: %s", g)
		}
	}
	if n := len(exp.GetSpans()); n > 20 {
		t.Errorf("%d spans for one small query", n)
	}
}
