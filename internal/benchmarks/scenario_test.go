package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/scenario"
	"dangbo/internal/server"
	"dangbo/internal/store/memory"
)

// BenchmarkAbolishDistrictLevel: the 2025 reform simulated on the whole
// Quảng Ninh demo through GraphQL, in-process: create a scenario, add
// flattenLevel(DISTRICT), preview the province's statistics under it, then
// the full scenarioDiff. Target (issue 7): ≤ 300 ms p50.
func BenchmarkAbolishDistrictLevel(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	id := find(b, svc, "tinh quang ninh").ID
	var nodes int
	latencies(b, func() {
		var created struct {
			Data struct{ CreateScenario struct{ ID string } }
		}
		body := serveOnce(b, h, graphqlBody(`mutation($id: ID!) { createScenario(name: "Bỏ cấp huyện", within: $id) { id } }`,
			map[string]any{"id": id}))
		if err := json.Unmarshal(body, &created); err != nil {
			b.Fatal(err)
		}
		sc := created.Data.CreateScenario.ID
		serveOnce(b, h, graphqlBody(`mutation($sc: ID!, $id: ID!) { addScenarioOperations(id: $sc,
			operations: [{flattenLevel: {kind: DISTRICT, within: $id}}]) { id } }`, map[string]any{"sc": sc, "id": id}))
		serveOnce(b, h, graphqlBody(`query($sc: ID!, $id: ID!) { statistics(orgId: $id, scenario: $sc) {
			districtCount grassrootsCount cellCount memberCount } }`, map[string]any{"sc": sc, "id": id}))
		diff := serveOnce(b, h, graphqlBody(`query($sc: ID!) { scenarioDiff(id: $sc) {
			asIs { districtCount memberCount } toBe { districtCount memberCount } figures { name asIs toBe net }
			nodes { id changes memberDelta before { id name parent { id } } after { id name parent { id } } }
			violationsAdded { rule severity subject { id } message } violationsResolved { rule subject { id } } } }`, map[string]any{"sc": sc}))
		var d struct {
			Data struct {
				ScenarioDiff struct{ Nodes []struct{ ID string } }
			}
		}
		if err := json.Unmarshal(diff, &d); err != nil {
			b.Fatal(err)
		}
		nodes = len(d.Data.ScenarioDiff.Nodes)
		serveOnce(b, h, graphqlBody(`mutation($sc: ID!) { discardScenario(id: $sc) { status } }`, map[string]any{"sc": sc}))
	})
	b.ReportMetric(float64(nodes), "changed-nodes")
}

// reformOps are n operations over the demo province: cells moved to
// another grassroots committee of the same district-level committee, and
// renames, alternately.
func reformOps(b *testing.B, svc *org.Service, province string, n int) []org.Operation {
	b.Helper()
	ctx := org.WithPrincipal(context.Background(), org.System)
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: province, Depth: -1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	parent := map[string]*org.ChartNode{}
	committees := map[string][]string{} // district → its grassroots committees
	for i := range nodes {
		n := &nodes[i]
		parent[n.ID] = n
		if n.Kind == org.GrassrootsCommittee && parent[n.ParentID] != nil && parent[n.ParentID].Kind == org.District {
			committees[n.ParentID] = append(committees[n.ParentID], n.ID)
		}
	}
	var ops []org.Operation
	for _, c := range nodes {
		if len(ops) == n {
			break
		}
		up := parent[c.ParentID]
		if c.Kind != org.Cell || up == nil || up.Kind != org.GrassrootsCommittee {
			continue
		}
		if len(ops)%2 == 1 {
			ops = append(ops, org.Operation{Type: org.OpRenameOrg, ID: c.ID, Name: c.Name + " (mới)"})
			continue
		}
		siblings := committees[up.ParentID]
		for _, to := range siblings {
			if to != up.ID {
				ops = append(ops, org.Operation{Type: org.OpTransferOrg, ID: c.ID, ParentID: to})
				break
			}
		}
	}
	if len(ops) < n {
		b.Fatalf("only %d operations", len(ops))
	}
	return ops
}

// BenchmarkWhatIfOrgChart: the whole province's orgChart (objects, no
// links) under a scenario of 1,000 operations, against the same query on
// the live structure, one client over HTTP. Target (issue 7): ≤ 2×.
func BenchmarkWhatIfOrgChart(b *testing.B) {
	store, svc := loadDemo(b)
	scn := scenario.New(svc, store)
	ctx := org.WithPrincipal(context.Background(), org.System)
	province := find(b, svc, "tinh quang ninh").ID
	sc, err := scn.Create(ctx, "1.000 thao tác", province, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := scn.AddOperations(ctx, sc.ID, reformOps(b, svc, province, 1000)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { scn.Discard(ctx, sc.ID) })
	srv := httptest.NewServer(handler(b, server.Config{Store: store, Service: svc, Scenarios: scn}))
	b.Cleanup(srv.Close)
	const query = `query($id: ID!, $sc: ID) { orgChart(rootId: $id, scenario: $sc) {
		nodes { id parentId name kind sector depth childCount hasChildren directMemberCount memberCount officialCount probationaryCount } } }`
	t := target{srv.URL + "/graphql", ""}
	live := graphqlBody(query, map[string]any{"id": province})
	whatIf := graphqlBody(query, map[string]any{"id": province, "sc": sc.ID})
	compareRuns(b, func(d time.Duration) loadResult { return load(t, live, 1, d) },
		func(d time.Duration) loadResult { return load(t, whatIf, 1, d) })
}

// BenchmarkScenarioMemory: the heap 100 open scenarios of 50 operations
// each over the province add, each read once (so the service has replayed
// it). Target (issue 7): ≤ 50 MB.
func BenchmarkScenarioMemory(b *testing.B) {
	store, svc := loadDemo(b)
	scn := scenario.New(svc, store)
	ctx := org.WithPrincipal(context.Background(), org.System)
	province := find(b, svc, "tinh quang ninh").ID
	ops := reformOps(b, svc, province, 50*50) // two scenarios share each set
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for b.Loop() {
		before := heap()
		var ids []string
		for i := range 100 {
			sc, err := scn.Create(ctx, fmt.Sprintf("Phương án %d", i), province, 0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := scn.AddOperations(ctx, sc.ID, ops[i%50*50:][:50]); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Org(ctx, org.View{At: svc.Today(), Scenario: sc.ID}, province); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, sc.ID)
		}
		b.ReportMetric(float64(int64(heap())-int64(before))/(1<<20), "MB")
		for _, id := range ids {
			if _, err := scn.Discard(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkViolationsProvince: every rule of the Charter over the whole
// province, members included (104,000 of them), in-process.
func BenchmarkViolationsProvince(b *testing.B) {
	_, svc := loadDemo(b)
	ctx := org.WithPrincipal(context.Background(), org.System)
	province := find(b, svc, "tinh quang ninh").ID
	var found []org.Violation
	latencies(b, func() {
		var err error
		if found, err = svc.Violations(ctx, svc.Now(), province, true, org.SeverityInfo); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(len(found)), "findings")
}

// BenchmarkApplyAbolishDistrictLevel applies the 2025 reform of Quảng Ninh
// on 1 July 2025, by the province's decision, on a fresh store of the
// province each time: the changes written, the time to apply, and that time
// as a multiple of the scenario's diff taken just before (the preview the
// board read).
func BenchmarkApplyAbolishDistrictLevel(b *testing.B) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	july := org.DateFrom(2025, 7, 1)
	quangNinh := demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Quảng Ninh")
	var applied, diffed []time.Duration
	changes := 0
	for range b.N {
		b.StopTimer()
		s, err := memory.Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(ctx, quangNinh.Clone().Reader()); err != nil {
			b.Fatal(err)
		}
		svc := org.NewService(s, nil)
		scn := scenario.New(svc, s)
		province := find(b, svc, "tinh quang ninh").ID
		sc, err := scn.Create(ctx, "Bỏ cấp huyện", province, july)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := scn.AddOperations(ctx, sc.ID, []org.Operation{{Type: org.OpFlattenLevel, Kind: org.District,
			Filter: &org.OrgFilter{Within: province}}}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := scn.Diff(ctx, sc.ID); err != nil {
			b.Fatal(err)
		}
		diffed = append(diffed, time.Since(start))
		b.StartTimer()
		start = time.Now()
		_, written, err := scn.Apply(ctx, sc.ID, org.Decision{Number: "1-QĐ/TU", Date: july, IssuerID: province}, 0)
		if err != nil {
			b.Fatal(err)
		}
		applied = append(applied, time.Since(start))
		changes = len(written)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	slices.Sort(applied)
	slices.Sort(diffed)
	b.ReportMetric(float64(changes), "changes")
	b.ReportMetric(float64(applied[len(applied)/2].Milliseconds()), "apply-p50-ms")
	b.ReportMetric(float64(applied[len(applied)/2])/float64(diffed[len(diffed)/2]), "apply/diff")
}

// BenchmarkLinksAfterWrite reads the province's residence links (what a
// chart with links reads) right after a member's residence changes: the
// links kept move with the member. Before, a write dropped them and the next
// read counted them afresh from every member, which costs what a read of a
// date not kept costs ("uncounted"). The floor is the same read with no
// write in between, in the same run.
func BenchmarkLinksAfterWrite(b *testing.B) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	s := quangNinhStore(b)
	today := org.DateFrom(2021, 6, 1)
	svc := org.NewService(s, func() org.Date { return today })
	province := find(b, svc, "tinh quang ninh").ID
	nodes, err := svc.ChartNodes(ctx, org.View{At: today}, org.ChartQuery{RootID: province, Depth: -1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	var cells, villages []string
	for _, n := range nodes {
		if n.Kind.HoldsMembers() {
			cells = append(cells, n.ID)
			if n.Sector.IsResidential() && n.Counts.DirectOfficial > 0 {
				villages = append(villages, n.ID)
			}
		}
	}
	at := today
	read := func() {
		if _, err := s.ResidenceLinks(ctx, org.View{At: at}, cells); err != nil {
			b.Fatal(err)
		}
	}
	// A worker of the provincial agencies moves house, again and again.
	page, err := svc.CellMembers(ctx, org.View{At: today}, cells[len(cells)-1], org.PageQuery{First: 1})
	if err != nil || len(page.Members) == 0 {
		b.Fatal(err)
	}
	worker, n := page.Members[0], 0
	write := func() {
		n++
		cell := worker.CellID
		o, _ := svc.Org(ctx, org.View{At: today}, cell)
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ", n), Date: today, IssuerID: o.ParentID}, EffectiveOn: today}
		if _, err := svc.SetResidence(ctx, worker.ID, villages[n%len(villages)], meta); err != nil {
			b.Fatal(err)
		}
	}
	read()
	for _, tc := range []struct {
		name  string
		write func()
	}{
		{"quiet", func() {}},
		{"after-write", write},
		{"uncounted", func() { at++ }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				tc.write()
				start := time.Now()
				read()
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "read-p50-µs")
			at = today
		})
	}
}
