package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"dangbo/graph/model"
	"dangbo/internal/org"
	"dangbo/internal/server"
)

const chartObjectsQuery = `query($id: ID!) { orgChart(rootId: $id) {
	nodes { id parentId name kind sector depth childCount hasChildren directMemberCount memberCount officialCount probationaryCount }
	links { from to type memberCount } } }`

const chartColumnsQuery = `query($id: ID!) { orgChart(rootId: $id) {
	columns { size ids parentIds names kinds sectors depths childCounts directMemberCounts memberCounts officialCounts probationaryCounts } } }`

const chartColumnsLinksQuery = `query($id: ID!) { orgChart(rootId: $id) {
	columns { size ids parentIds names kinds sectors depths childCounts directMemberCounts memberCounts officialCounts probationaryCounts }
	linkColumns { size from to memberCounts } } }`

// chart is the whole Quảng Ninh chart as the service computes it.
type chart struct {
	Nodes []org.ChartNode
	Links []org.ResidenceLink
}

func provinceChart(b *testing.B, svc *org.Service) chart {
	b.Helper()
	ctx, v := org.WithPrincipal(context.Background(), org.System), svc.Now()
	nodes, err := svc.ChartNodes(ctx, v, org.ChartQuery{RootID: find(b, svc, "tinh quang ninh").ID, Depth: -1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	links, err := svc.ResidenceLinks(ctx, v, org.CellsOf(nodes))
	if err != nil {
		b.Fatal(err)
	}
	return chart{nodes, links}
}

// BenchmarkOrgChartObjectsHTTP: the whole province's orgChart as a list of
// objects with links, one client over HTTP, against the static floor.
// Target (issue 5): ≤ 1.25× the floor's time.
func BenchmarkOrgChartObjectsHTTP(b *testing.B) {
	_, svc := loadDemo(b)
	c := provinceChart(b, svc)
	b.ReportMetric(float64(len(c.Nodes)), "nodes")
	b.ReportMetric(float64(len(c.Links)), "links")
	floor := model.NewChart(svc.Today(), c.Nodes, func([]string) ([]org.ResidenceLink, error) { return c.Links, nil })
	floorURL, realURL := servers(b, &floorRoot{chart: floor})
	compareLatency(b, target{floorURL, ""}, target{realURL, ""}, graphqlBody(chartObjectsQuery, map[string]any{"id": c.Nodes[0].ID}))
}

// jsonNode is a chart node as encoding/json writes it: the floor of the
// compact form.
type jsonNode struct {
	ID                string  `json:"id"`
	ParentID          *string `json:"parentId"`
	Name              string  `json:"name"`
	Kind              string  `json:"kind"`
	Sector            string  `json:"sector"`
	Depth             int     `json:"depth"`
	ChildCount        int     `json:"childCount"`
	HasChildren       bool    `json:"hasChildren"`
	DirectMemberCount int     `json:"directMemberCount"`
	MemberCount       int     `json:"memberCount"`
	OfficialCount     int     `json:"officialCount"`
	ProbationaryCount int     `json:"probationaryCount"`
}

type jsonLink struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Type        string `json:"type"`
	MemberCount int    `json:"memberCount"`
}

// BenchmarkOrgChartColumnsHTTP: the whole province's chart in its compact
// form (columns), one client over HTTP, against encoding/json marshalling the
// same nodes (and links) as objects. Targets (issue 5): ≤ 30 ms p50 and
// ≤ 2.5× encoding/json. The province has about ten residence links per
// node, so the chart is measured without and with them.
func BenchmarkOrgChartColumnsHTTP(b *testing.B) {
	store, svc := loadDemo(b)
	c := provinceChart(b, svc)
	nodes := make([]jsonNode, len(c.Nodes))
	for i, n := range c.Nodes {
		var parent *string
		if n.ChartParentID != "" {
			parent = &n.ChartParentID
		}
		nodes[i] = jsonNode{n.ID, parent, n.Name, n.Kind.String(), n.Sector.String(), n.Depth, int(n.Counts.Children),
			n.Counts.Children > 0, int(n.Counts.DirectMembers()), int(n.Counts.Members()), int(n.Counts.Official), int(n.Counts.Probationary)}
	}
	links := make([]jsonLink, len(c.Links))
	for i, l := range c.Links {
		links[i] = jsonLink{l.From, l.To, "RESIDENCE", l.Members}
	}
	real := httptest.NewServer(handler(b, server.Config{Store: store, Service: svc}))
	b.Cleanup(real.Close)
	t := target{real.URL + "/graphql", ""}
	for _, tc := range []struct {
		name  string
		query string
		value any
	}{
		{"nodes", chartColumnsQuery, map[string]any{"nodes": nodes}},
		{"nodes+links", chartColumnsLinksQuery, map[string]any{"nodes": nodes, "links": links}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			body := graphqlBody(tc.query, map[string]any{"id": c.Nodes[0].ID})
			marshalFor := func(d time.Duration) time.Duration {
				var took []time.Duration
				for stop := time.Now().Add(d); time.Now().Before(stop); {
					start := time.Now()
					if _, err := json.Marshal(tc.value); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
				return median(took)
			}
			load(t, body, 1, 300*time.Millisecond)
			var jsonP50, httpP50 []time.Duration
			var errors int64
			for range 3 {
				jsonP50 = append(jsonP50, marshalFor(time.Second))
				r := load(t, body, 1, 2*time.Second)
				httpP50, errors = append(httpP50, r.p50), errors+r.errors
			}
			j, h := median(jsonP50), median(httpP50)
			b.ReportMetric(float64(j.Microseconds()), "json-p50-µs")
			b.ReportMetric(float64(h.Microseconds()), "p50-µs")
			b.ReportMetric(float64(h)/float64(j), "ratio")
			if errors > 0 {
				b.Errorf("%d requests failed", errors)
			}
		})
	}
}

const lazyChildrenQuery = `query($id: ID!) { org(id: $id) { children(first: 50) {
	nodes { id name kind sector childCount hasChildren directMemberCount memberCount officialCount probationaryCount }
	pageInfo { hasNextPage endCursor } totalCount } } }`

// BenchmarkChildrenWithCounts: the page a chart loads when a node is
// expanded, 50 children with their badges' counts, through GraphQL
// in-process. Target (issue 5): ≤ 1 ms p50.
func BenchmarkChildrenWithCounts(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	body := graphqlBody(lazyChildrenQuery, map[string]any{"id": find(b, svc, "khoi cac co quan tinh").ID})
	latencies(b, func() { serveOnce(b, h, body) })
}

// The chart issue 17 names: the whole province's nodes with the fields a
// chart library draws, as objects and as columns.
const (
	chartIssue17Objects = `query($id: ID!) { orgChart(rootId: $id) { nodes { id parentId name kind childCount memberCount } } }`
	chartIssue17Columns = `query($id: ID!) { orgChart(rootId: $id) { columns { ids parentIds names kinds childCounts memberCounts } } }`
)

// BenchmarkOrgChartObjectsCompiled: the whole province's chart as objects,
// written by the marshallers compiled for the selection, against the same
// objects written by gqlgen's own execution and the same data as columns,
// one client over HTTP, alternating three runs of each; and the heap each
// answer allocates, in-process (the columns by gqlgen's execution too). Targets (issue 17): objects ≤ 2× the
// columns' time, and gqlgen's objects ≥ 3× the compiled ones'.
func BenchmarkOrgChartObjectsCompiled(b *testing.B) {
	store, svc := loadDemo(b)
	root := find(b, svc, "tinh quang ninh").ID
	compiled := handler(b, server.Config{Store: store, Service: svc})
	gqlgen := handler(b, server.Config{Store: store, Service: svc, GqlgenLists: true})
	compiledURL, gqlgenURL := httptest.NewServer(compiled), httptest.NewServer(gqlgen)
	b.Cleanup(compiledURL.Close)
	b.Cleanup(gqlgenURL.Close)
	for _, tc := range []struct{ name, objects, columns string }{
		{"issue17", chartIssue17Objects, chartIssue17Columns},
		{"nodes+links", chartObjectsQuery, chartColumnsLinksQuery},
	} {
		b.Run(tc.name, func(b *testing.B) {
			objects, columns := graphqlBody(tc.objects, map[string]any{"id": root}), graphqlBody(tc.columns, map[string]any{"id": root})
			if !bytes.Equal(serveOnce(b, compiled, objects), serveOnce(b, gqlgen, objects)) {
				b.Fatal("the compiled answer differs from gqlgen's")
			}
			runs := []func(time.Duration) loadResult{
				func(d time.Duration) loadResult { return load(target{compiledURL.URL + "/graphql", ""}, objects, 1, d) },
				func(d time.Duration) loadResult { return load(target{gqlgenURL.URL + "/graphql", ""}, objects, 1, d) },
				func(d time.Duration) loadResult { return load(target{compiledURL.URL + "/graphql", ""}, columns, 1, d) },
			}
			p50 := make([][]time.Duration, len(runs))
			var errors int64
			for round := range 4 {
				for i, run := range runs {
					r := run(2 * time.Second)
					if round > 0 { // the first round warms up
						p50[i], errors = append(p50[i], r.p50), errors+r.errors
					}
				}
			}
			comp, gql, cols := median(p50[0]), median(p50[1]), median(p50[2])
			b.ReportMetric(float64(comp.Microseconds()), "p50-µs")
			b.ReportMetric(float64(gql.Microseconds()), "gqlgen-p50-µs")
			b.ReportMetric(float64(cols.Microseconds()), "columns-p50-µs")
			b.ReportMetric(float64(comp)/float64(cols), "×columns")
			b.ReportMetric(float64(gql)/float64(comp), "gqlgen÷compiled")
			for _, h := range []struct {
				name string
				h    http.Handler
				body []byte
			}{{"", compiled, objects}, {"gqlgen-", gqlgen, objects}, {"columns-", compiled, columns}, {"gqlgen-columns-", gqlgen, columns}} {
				allocs, bytes := heapPerRequest(b, h.h, h.body)
				b.ReportMetric(allocs, h.name+"allocs/req")
				b.ReportMetric(bytes/(1<<20), h.name+"MiB/req")
			}
			if errors > 0 {
				b.Errorf("%d requests failed", errors)
			}
		})
	}
}

// heapPerRequest is what answering body in-process allocates on the heap,
// objects and bytes per request, over ten requests.
func heapPerRequest(b *testing.B, h http.Handler, body []byte) (allocs, bytes float64) {
	const n = 10
	serveOnce(b, h, body)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		serveOnce(b, h, body)
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / n, float64(after.TotalAlloc-before.TotalAlloc) / n
}
