package benchmarks

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"dangbo/internal/org"
)

// BenchmarkLateTransferWithHistory: a grassroots committee of Kon Tum, with
// the years of history recorded in its subtree since 2022, moves to another
// district and back by decisions dated 1 January 2022, each re-placing that
// history (org.Tx.Rescope); the floor is the same two transfers dated today,
// with no later history, in the same run. It reports both p50s, their ratio
// and logs how many changes each late transfer re-places. The late transfer
// also reads that history to keep it true (keepsLater), which the floor does
// not. With DANGBO_TIMING=1 a ratio above 80 fails.
func BenchmarkLateTransferWithHistory(b *testing.B) {
	_, svc := loadDemo(b)
	ctx := org.WithPrincipal(context.Background(), org.System)
	province := find(b, svc, "tinh kon tum")
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: province.ID, Depth: 2,
		Kinds: []org.Kind{org.District, org.GrassrootsCommittee}}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	late := org.DateFrom(2022, 1, 1)
	// The grassroots committee whose subtree has the most history since,
	// and a district of the same sector to move it to.
	var gc org.Org
	var from, to string
	most := -1
	for _, n := range nodes {
		if n.Kind != org.GrassrootsCommittee {
			continue
		}
		counts, err := svc.ChangeCounts(ctx, org.ChangeQuery{Within: n.ID, Since: late + 1})
		if err != nil {
			b.Fatal(err)
		}
		if total := sum(counts[:]); total > most {
			most, gc, from = total, n.Org, n.ParentID
		}
	}
	for _, n := range nodes {
		if n.Kind == org.District && n.ID != from && n.Sector == nodeOf(nodes, from).Sector {
			to = n.ID
		}
	}
	if to == "" {
		b.Fatal("no district to move the grassroots committee to")
	}
	b.Logf("%d changes in the subtree since %s", most, late)
	run, n := time.Now().UnixNano(), 0
	transfer := func(dest string, on org.Date) time.Duration {
		n++
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-%d-QĐ/TU", run, n), Date: on, IssuerID: province.ID}, EffectiveOn: on}
		start := time.Now()
		if _, err := svc.TransferOrg(ctx, gc.ID, dest, meta); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var lates, todays []time.Duration
	for b.Loop() {
		lates = append(lates, transfer(to, late), transfer(from, late))
		todays = append(todays, transfer(to, svc.Today()), transfer(from, svc.Today()))
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	l, f := p50(lates), p50(todays)
	ratio := float64(l) / float64(f)
	b.ReportMetric(float64(l.Microseconds()), "late-p50-µs")
	b.ReportMetric(float64(f.Microseconds()), "today-p50-µs")
	b.ReportMetric(ratio, "ratio")
	if os.Getenv("DANGBO_TIMING") == "1" && ratio > 80 {
		b.Errorf("a late transfer re-placing %d changes takes %.1f× one dated today", most, ratio)
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func nodeOf(nodes []org.ChartNode, id string) org.ChartNode {
	for _, n := range nodes {
		if n.ID == id {
			return n
		}
	}
	return org.ChartNode{}
}
