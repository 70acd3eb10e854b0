package benchmarks

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/server"
)

// The lanes of the mixed load: what each read is, by its kind in loadMix.
var mixedLanes = []string{"org", "members", "search", "chart"}

// lightChartNodes bounds the district charts of the mixed load: Hạ Long's
// chart of depth 2 (885 nodes) costs enough to run in the heavy lane, one
// at a time, and a mix that holds it measures that lane's queue, not reads
// beside writes. Every other district of Quảng Ninh fits (Cẩm Phả, 421).
const lightChartNodes = 600

// BenchmarkMixedLoad is issue 17's mixed load over HTTP on a store of
// Quảng Ninh: 32 clients, each read in turn one of four lanes (an
// organisation with its statistics and 20 children; a cell's members with
// their cell and residence link; a search with paths; a district's chart of
// depth 2 with its residence links), the districts and cells in rotation;
// first read-only, then with one client writing twice a second and 31
// reading, then with one request in 20 a write (a working member's
// residence link set anew, a durable operation recorded in the history),
// then one in 5. Rounds of the four runs alternate, three of them, so that
// the machine's noise falls on all four alike. It reports the read-only
// run's requests a second and lane p50s, and each other run as ratios to
// it: throughput (wall and per CPU second), each lane's p50, with the
// writes' p50 and rate.
func BenchmarkMixedLoad(b *testing.B) {
	s := quangNinhStore(b)
	svc := org.NewService(s, nil)
	srv := httptest.NewServer(handler(b, server.Config{Store: s, Service: svc}))
	defer srv.Close()
	today := svc.Today()
	districts := lightDistricts(b, svc, find(b, svc, "dang bo tinh quang ninh").ID)
	rw := newResidenceWrites(b, svc, districts)
	lanes := make([][][]byte, len(mixedLanes))
	for _, d := range districts {
		vars := map[string]any{"id": d}
		lanes[0] = append(lanes[0], graphqlBody(`query($id: ID!) {
			org(id: $id) { name memberCount childCount children(first: 20) { edges { node { id name kind memberCount childCount } } } }
			statistics(orgId: $id) { grassrootsCount cellCount memberCount officialCount } }`, vars))
		lanes[3] = append(lanes[3], graphqlBody(`query($id: ID!) {
			orgChart(rootId: $id, depth: 2) { nodes { id parentId name kind memberCount } links { from to memberCount } } }`, vars))
	}
	for _, cell := range rw.cells {
		lanes[1] = append(lanes[1], graphqlBody(`query($id: ID!) { org(id: $id) { members(first: 20) {
			nodes { id fullName status cell { id name } residenceCell { id name } } } } }`, map[string]any{"id": cell}))
	}
	for _, text := range []string{"nguyen van", "tran thi", "chi bo thon", "le hong"} {
		lanes[2] = append(lanes[2], graphqlBody(`query($t: String!) { search(text: $t, first: 20) {
			edges { score path { name } node { ... on Org { id name } ... on Member { id fullName } } } } }`, map[string]any{"t": text}))
	}
	write := func() []byte {
		n, w, village := rw.next()
		return graphqlBody(`mutation($m: ID!, $c: ID!, $d: DecisionInput!) { setResidence(memberId: $m, cellId: $c, decision: $d) { seq } }`,
			map[string]any{"m": w.id, "c": village,
				"d": map[string]any{"number": fmt.Sprintf("%d-QĐ/BM", n), "date": today.String(), "issuerId": w.issuer}})
	}
	const clients = 32
	readOnly := func(c, i int) request {
		k := (c + i) % len(lanes)
		bodies := lanes[k]
		return request{body: bodies[(c*7+i)%len(bodies)], kind: k}
	}
	// One request in every n a write.
	writing := func(n int) func(c, i int) request {
		return func(c, i int) request {
			if (c+i)%n == 0 {
				return request{body: write(), kind: -1}
			}
			return readOnly(c, i)
		}
	}
	// The last client writes twice a second, the others read.
	oneWriter := func(c, i int) request {
		if c == clients-1 {
			return request{body: write(), kind: -1, pause: 500 * time.Millisecond}
		}
		return readOnly(c, i)
	}
	runs := []struct {
		name string
		next func(c, i int) request
	}{{"read-only", readOnly}, {"writer-2/s", oneWriter}, {"5%-writes", writing(20)}, {"20%-writes", writing(5)}}
	const rounds = 3
	per := 5 * time.Second
	loadMix(target{url: srv.URL + "/graphql"}, clients, time.Second, writing(20)) // warm up: trees, links, tallies
	results := make([]mixedResult, len(runs))
	for range rounds {
		for i, r := range runs {
			results[i].add(loadMix(target{url: srv.URL + "/graphql"}, clients, per, r.next))
		}
	}
	base := results[0]
	if base.errors+results[1].errors+results[2].errors+results[3].errors > 0 {
		b.Errorf("requests failed: %d, %d, %d, %d", base.errors, results[1].errors, results[2].errors, results[3].errors)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-11s %8s %6s %6s", "run", "req/s", "ratio", "cpu")
	for _, l := range mixedLanes {
		fmt.Fprintf(&table, " %9s", l+"-p50")
	}
	fmt.Fprintf(&table, " %9s %8s\n", "write-p50", "writes/s")
	for i, r := range runs {
		res := results[i]
		fmt.Fprintf(&table, "%-11s %8.0f %6.2f %6.2f", r.name, res.perSecond(), res.perSecond()/base.perSecond(), res.perCPU()/base.perCPU())
		for k := range mixedLanes {
			fmt.Fprintf(&table, " %9s", res.p50(k).Round(10*time.Microsecond))
		}
		fmt.Fprintf(&table, " %9s %8.1f\n", res.p50(-1).Round(10*time.Microsecond), float64(len(res.byKind[-1]))/(per.Seconds()*rounds))
		if i == 0 {
			b.ReportMetric(res.perSecond(), "read-only-req/s")
			for k, l := range mixedLanes {
				b.ReportMetric(float64(res.p50(k).Microseconds()), "read-only-"+l+"-p50-µs")
			}
			continue
		}
		b.ReportMetric(res.perSecond()/base.perSecond(), r.name+"-ratio")
		b.ReportMetric(res.perCPU()/base.perCPU(), r.name+"-cpu-ratio")
		for k, l := range mixedLanes {
			b.ReportMetric(float64(res.p50(k))/float64(base.p50(k)), r.name+"-"+l+"-p50-ratio")
		}
		b.ReportMetric(float64(res.p50(-1).Microseconds()), r.name+"-write-p50-µs")
	}
	b.Log(table.String())
}

// mixedResult gathers the rounds of one run of the mixed load.
type mixedResult struct {
	rates, perCPUs []float64
	errors         int64
	byKind         map[int][]time.Duration
}

func (m *mixedResult) add(r loadResult, byKind map[int][]time.Duration) {
	m.rates, m.perCPUs = append(m.rates, r.perSecond), append(m.perCPUs, r.perCPUSecond)
	m.errors += r.errors
	if m.byKind == nil {
		m.byKind = map[int][]time.Duration{}
	}
	for k, ds := range byKind {
		m.byKind[k] = append(m.byKind[k], ds...)
	}
}

// perSecond and perCPU are the medians of the rounds.
func (m *mixedResult) perSecond() float64 { return medianOf(m.rates) }
func (m *mixedResult) perCPU() float64    { return medianOf(m.perCPUs) }

// p50 is the median latency of kind over every round.
func (m *mixedResult) p50(kind int) time.Duration {
	ds := m.byKind[kind]
	if len(ds) == 0 {
		return 0
	}
	return median(ds)
}

func medianOf(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// lightDistricts are the district-level organisations below province whose
// chart of depth 2 holds at most lightChartNodes nodes.
func lightDistricts(b *testing.B, svc *org.Service, province string) []string {
	ctx := org.WithPrincipal(context.Background(), org.System)
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: province, Depth: 1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	var light []string
	for _, n := range nodes[1:] {
		chart, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: n.ID, Depth: 2}, org.DefaultChartLimit)
		if err != nil {
			b.Fatal(err)
		}
		if len(chart) <= lightChartNodes {
			light = append(light, n.ID)
		}
	}
	if len(light) < 10 {
		b.Fatalf("%d light districts", len(light))
	}
	return light
}

// residenceWrites are the writes of the mixed loads: working members of
// the districts' cells that are not villages, each with the committee that
// decides their residence link, set in turn to the villages of their
// district other than the one they live in now, so that every write changes
// something. cells are those members' cells.
type residenceWrites struct {
	workers []worker
	cells   []string
	n       atomic.Int64
}

type worker struct {
	id, issuer string
	villages   []string
}

// workersPerDistrict bounds the writes' members in each district: three from
// each of its first cells that are not villages.
const workersPerDistrict = 30

func newResidenceWrites(b *testing.B, svc *org.Service, districts []string) *residenceWrites {
	ctx := org.WithPrincipal(context.Background(), org.System)
	rw := &residenceWrites{}
	for _, district := range districts {
		nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: district, Depth: -1}, org.DefaultChartLimit)
		if err != nil {
			b.Fatal(err)
		}
		var villages []string
		for _, n := range nodes {
			if n.Kind.IsCell() && n.Sector.IsResidential() {
				villages = append(villages, n.ID)
			}
		}
		if len(villages) < 3 {
			continue // a bloc: its members live in other districts
		}
		found := 0
		for _, n := range nodes {
			if !n.Kind.IsCell() || n.Sector.IsResidential() || found >= workersPerDistrict {
				continue
			}
			page, err := svc.CellMembers(ctx, svc.Now(), n.ID, org.PageQuery{First: 3})
			if err != nil {
				b.Fatal(err)
			}
			rw.cells = append(rw.cells, n.ID)
			for _, m := range page.Members {
				others := slices.DeleteFunc(slices.Clone(villages), func(v string) bool { return v == m.ResidenceCellID })
				rw.workers = append(rw.workers, worker{m.ID, n.ParentID, others})
				found++
			}
		}
	}
	if len(rw.workers) < 20 {
		b.Fatalf("%d workers", len(rw.workers))
	}
	return rw
}

// next is the n-th write: its worker and the village they now live in, the
// one after the last this worker was given.
func (rw *residenceWrites) next() (int64, worker, string) {
	n := rw.n.Add(1)
	w := rw.workers[int(n)%len(rw.workers)]
	turn := int(n) / len(rw.workers)
	return n, w, w.villages[turn%len(w.villages)]
}
