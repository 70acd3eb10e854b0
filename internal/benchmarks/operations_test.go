package benchmarks

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/server"
	"dangbo/internal/store/memory"
	"dangbo/internal/store/storetest"
)

// BenchmarkOperationSmallOrg: one operation, durable, on the embedded store
// holding the demo: a grassroots committee of at most 200 members moves
// between two district-level committees and back (a grassroots organisation
// of 31 to 200 members), by the province's decision.
// Target (issue 6): ≤ 5 ms p50.
func BenchmarkOperationSmallOrg(b *testing.B) {
	_, svc := loadDemo(b)
	ctx := org.WithPrincipal(context.Background(), org.System)
	province := find(b, svc, "tinh quang ninh")
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: province.ID, Depth: 2,
		Kinds: []org.Kind{org.District, org.GrassrootsCommittee}}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	var small org.Org
	var from, to string
	for _, n := range nodes {
		switch {
		case n.Kind == org.District && n.Sector != org.SectorBloc && from != "" && to == "":
			to = n.ID
		case n.Kind == org.GrassrootsCommittee && small.ID == "" && n.Counts.Members() <= 200:
			small, from = n.Org, n.ParentID
		}
	}
	if to == "" {
		b.Fatal("no grassroots committee of at most 200 members, or no district to move it to")
	}
	b.ReportMetric(float64(small.Counts.Members()), "members")
	// Decision numbers must be new in every run of the benchmark.
	run, n := time.Now().UnixNano(), 0
	move := func() {
		n++
		dest := to
		if n%2 == 0 {
			dest = from
		}
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-%d-QĐ/TU", run, n), Date: svc.Today(), IssuerID: province.ID}}
		if _, err := svc.TransferOrg(ctx, small.ID, dest, meta); err != nil {
			b.Fatal(err)
		}
	}
	latencies(b, move)
	if n%2 == 1 {
		move() // the other benchmarks read the demo as it was
	}
}

// mergeStore holds pairs of grassroots committees of 500 members each (ten
// cells of fifty) under one district, for mergers.
func mergeStore(b *testing.B, pairs int) (*org.Service, string, [][2]string) {
	b.Helper()
	dir, err := os.MkdirTemp("", "dangbo-merge-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	s, err := memory.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	since := org.DateFrom(2010, 1, 1)
	span := org.Span{Since: since, Until: org.Forever}
	var recs []org.Record
	addOrg := func(id, parent, name string, kind org.Kind) {
		recs = append(recs, org.Record{Org: &org.OrgRecord{ID: id, Versions: []org.Version{{Span: span, ParentID: parent, Name: name, Kind: kind}}}})
	}
	addOrg("oprov", "", "Đảng bộ tỉnh Thử", org.Province)
	addOrg("odist", "oprov", "Đảng bộ huyện Thử", org.District)
	var members []org.Record
	var out [][2]string
	for p := range pairs {
		var pair [2]string
		for side := range 2 {
			gc := fmt.Sprintf("og%03d%d", p, side)
			pair[side] = gc
			addOrg(gc, "odist", fmt.Sprintf("Đảng bộ xã Thử %d-%d", p, side), org.GrassrootsCommittee)
			for c := range 10 {
				cell := fmt.Sprintf("%sc%d", gc, c)
				addOrg(cell, gc, fmt.Sprintf("Chi bộ thôn %d", c), org.Cell)
				for m := range 50 {
					official := since
					members = append(members, org.Record{Member: &org.MemberRecord{
						ID: fmt.Sprintf("m%sm%02d", cell, m), FullName: fmt.Sprintf("Nguyễn Văn %d", m), AdmittedOn: since.AddYears(-5),
						OfficialOn: &official, Stints: []org.Stint{{Span: span, CellID: cell}}}})
				}
			}
		}
		out = append(out, pair)
	}
	ctx := org.WithPrincipal(context.Background(), org.System)
	svc := org.NewService(s, nil)
	if _, err := svc.Import(ctx, &storetest.Records{Recs: append(recs, members...)}); err != nil {
		b.Fatal(err)
	}
	return svc, "odist", out
}

// BenchmarkMergeGrassrootsCommittees: two grassroots committees of 500
// members each merge into one, durable: the cells of one move under the other,
// which ends. Target (issue 6): ≤ 50 ms p50.
func BenchmarkMergeGrassrootsCommittees(b *testing.B) {
	const pairs = 60
	svc, district, todo := mergeStore(b, pairs)
	ctx := org.WithPrincipal(context.Background(), org.System)
	n := 0
	latencies(b, func() {
		if n == len(todo) {
			b.Fatalf("at most %d mergers: run with -benchtime %dx", pairs, pairs)
		}
		p := todo[n]
		n++
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ/HU", n), Date: svc.Today(), IssuerID: district}}
		if _, err := svc.MergeOrgs(ctx, []string{p[1]}, org.MergeTarget{ID: p[0]}, meta); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkAsOfPast: statistics and orgChart of the whole province as of a
// past date against the same queries today, through GraphQL in-process.
// "cold" asks for a date whose tree is not cached (a different day each
// time); "warm" repeats one past date. Target (issue 6): ≤ 3× today.
func BenchmarkAsOfPast(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	id := find(b, svc, "tinh quang ninh").ID
	const query = `query($id: ID!, $at: Date) { statistics(orgId: $id, asOf: $at) { memberCount cellCount }
		orgChart(rootId: $id, asOf: $at) { columns { ids parentIds names memberCounts } } }`
	past := org.DateFrom(2020, 6, 30)
	day := 0
	for _, tc := range []struct {
		name string
		at   func() *org.Date
	}{
		{"today", func() *org.Date { return nil }},
		{"warm", func() *org.Date { return &past }},
		{"cold", func() *org.Date { day++; d := past.AddDays(-day); return &d }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			latencies(b, func() { serveOnce(b, h, graphqlBody(query, map[string]any{"id": id, "at": tc.at()})) })
		})
	}
}

// BenchmarkChangeSummaryKonTum: the summary of five years of the demo's Kon
// Tum history (19,455 changes) through GraphQL, in-process. Target (issue 6):
// ≤ 20 ms p50.
func BenchmarkChangeSummaryKonTum(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	body := graphqlBody(`query($id: ID!) { changeSummary(within: $id, since: "2016-08-08", until: "2021-10-26") {
		total established dissolved merged admitted counts { type count } } }`, map[string]any{"id": find(b, svc, "tinh kon tum").ID})
	latencies(b, func() { serveOnce(b, h, body) })
}
