package benchmarks

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/server"
)

// BenchmarkMixedLoad is issue 17's mixed load over HTTP on a store of
// Quảng Ninh: 32 clients reading an organisation with 20 children and its
// statistics, a district's chart of depth 2 with its residence links, and a
// search; first read-only, then with a writer at 2 writes a second, then
// with one request in 20 a write (a working member's residence link set
// anew, a durable operation recorded in the history), then one in 5. It
// reports each run's requests a second and chart p50, and the mixed runs'
// throughput as a ratio to the read-only run, measured in the same run.
func BenchmarkMixedLoad(b *testing.B) {
	s := quangNinhStore(b)
	svc := org.NewService(s, nil)
	srv := httptest.NewServer(handler(b, server.Config{Store: s, Service: svc}))
	defer srv.Close()
	district := find(b, svc, "thanh pho ha long")
	today := svc.Today()
	rw := newResidenceWrites(b, svc, district.ID)
	body := func(query string, vars map[string]any) []byte {
		out, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return out
	}
	reads := [][]byte{
		body(`query($id: ID!) { org(id: $id) { name memberCount childCount children(first: 20) { edges { node { id name kind memberCount childCount } } } }
			statistics(orgId: $id) { grassrootsCount cellCount memberCount officialCount } }`, map[string]any{"id": district.ID}),
		body(`query($id: ID!) { orgChart(rootId: $id, depth: 2) { nodes { id parentId name kind memberCount } links { from to memberCount } } }`,
			map[string]any{"id": district.ID}),
		body(`{ search(text: "nguyen van", first: 20) { edges { score path { name } } } }`, nil),
	}
	const chart = 1 // the index of the chart among reads
	write := func() []byte {
		n, w, village := rw.next()
		return body(`mutation($m: ID!, $c: ID!, $d: DecisionInput!) { setResidence(memberId: $m, cellId: $c, decision: $d) { seq } }`,
			map[string]any{"m": w.id, "c": village,
				"d": map[string]any{"number": fmt.Sprintf("%d-QĐ/BM", n), "date": today.String(), "issuerId": w.issuer}})
	}
	type result struct {
		loadResult
		chartP50, readP50, writeP50 time.Duration
		writes                      int
	}
	p50 := func(ds []time.Duration) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	run := func(clients int, d time.Duration, next func(client, i int) request) result {
		r, byKind := loadMix(target{url: srv.URL + "/graphql"}, clients, d, next)
		var read []time.Duration
		for k := range reads {
			read = append(read, byKind[k]...)
		}
		return result{loadResult: r, chartP50: p50(byKind[chart]), readP50: p50(read), writeP50: p50(byKind[-1]), writes: len(byKind[-1])}
	}
	readOnly := func(c, i int) request { k := (c + i) % len(reads); return request{body: reads[k], kind: k} }
	// One request in every n a write.
	writing := func(n int) func(c, i int) request {
		return func(c, i int) request {
			if (c+i)%n == 0 {
				return request{body: write(), kind: -1}
			}
			return readOnly(c, i)
		}
	}
	const clients = 32
	// The last client writes twice a second, the others read.
	oneWriter := func(c, i int) request {
		if c == clients-1 {
			return request{body: write(), kind: -1, pause: 500 * time.Millisecond}
		}
		return readOnly(c, i)
	}
	per := 4 * time.Second
	run(clients, 500*time.Millisecond, readOnly) // warm up
	var base, writer, mixed, heavy []result
	for range 3 {
		base = append(base, run(clients, per, readOnly))
		writer = append(writer, run(clients, per, oneWriter))
		mixed = append(mixed, run(clients, per, writing(20)))
		heavy = append(heavy, run(clients, per, writing(5)))
	}
	median := func(rs []result) result {
		slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.perSecond, b.perSecond) })
		return rs[len(rs)/2]
	}
	r, w, m, h := median(base), median(writer), median(mixed), median(heavy)
	for _, x := range slices.Concat(base, writer, mixed, heavy) {
		if x.errors > 0 {
			b.Errorf("%d requests failed", x.errors)
		}
	}
	b.ReportMetric(r.perSecond, "read-only-req/s")
	b.ReportMetric(float64(r.chartP50.Microseconds()), "read-only-chart-p50-µs")
	b.ReportMetric(w.perSecond/r.perSecond, "writer-2/s-ratio")
	b.ReportMetric(float64(w.chartP50.Microseconds()), "writer-2/s-chart-p50-µs")
	b.ReportMetric(float64(w.readP50)/float64(r.readP50), "writer-2/s-read-p50-ratio")
	b.ReportMetric(m.perSecond/r.perSecond, "5%-writes-ratio")
	b.ReportMetric(float64(m.chartP50.Microseconds()), "5%-writes-chart-p50-µs")
	b.ReportMetric(float64(m.writeP50.Microseconds()), "5%-writes-write-p50-µs")
	b.ReportMetric(float64(m.writes)/per.Seconds(), "5%-writes-writes/s")
	b.ReportMetric(h.perSecond/r.perSecond, "20%-writes-ratio")
	b.ReportMetric(float64(h.chartP50.Microseconds()), "20%-writes-chart-p50-µs")
	b.ReportMetric(float64(h.writeP50.Microseconds()), "20%-writes-write-p50-µs")
}

// residenceWrites are the writes of the mixed loads: working members of a
// district's cells that are not villages, each with the committee that
// decides their residence link, set in turn to one of its villages.
type residenceWrites struct {
	workers  []worker
	villages []string
	n        atomic.Int64
}

type worker struct{ id, issuer string }

func newResidenceWrites(b *testing.B, svc *org.Service, district string) *residenceWrites {
	ctx := org.WithPrincipal(context.Background(), org.System)
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: district, Depth: -1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	rw := &residenceWrites{}
	for _, n := range nodes {
		switch {
		case !n.Kind.IsCell():
		case n.Sector.IsResidential():
			rw.villages = append(rw.villages, n.ID)
		case len(rw.workers) < 200:
			page, err := svc.CellMembers(ctx, svc.Now(), n.ID, org.PageQuery{First: 3})
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range page.Members {
				rw.workers = append(rw.workers, worker{m.ID, n.ParentID})
			}
		}
	}
	if len(rw.workers) == 0 || len(rw.villages) < 2 {
		b.Fatalf("%d workers, %d villages", len(rw.workers), len(rw.villages))
	}
	return rw
}

// next is the n-th write: its worker and the village they now live in.
func (rw *residenceWrites) next() (int64, worker, string) {
	n := rw.n.Add(1)
	return n, rw.workers[int(n)%len(rw.workers)], rw.villages[int(n)%len(rw.villages)]
}
