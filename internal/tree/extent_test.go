package tree

import (
	"testing"

	"dangbo/internal/org"
)

// The estimate of a chart is never below what the chart holds, and equals it
// when neither depth nor kinds cut the subtree in the middle of a level.
func TestEstimateNodesBoundsTheChart(t *testing.T) {
	tr := smallTree(t)
	for _, q := range []org.ChartQuery{
		{RootID: "p", Depth: -1},
		{RootID: "p", Depth: 0},
		{RootID: "p", Depth: 1},
		{RootID: "p", Depth: 2},
		{RootID: "d", Depth: 1},
		{RootID: "gc", Depth: -1},
		{RootID: "c1", Depth: -1},
		{RootID: "p", Depth: -1, Kinds: []org.Kind{org.Cell}},
		{RootID: "p", Depth: -1, Kinds: []org.Kind{org.Cell, org.Cell, org.GrassrootsCell}},
		{RootID: "d", Depth: 1, Kinds: []org.Kind{org.PartialCommittee}},
	} {
		nodes, err := tr.ChartNodes(q, 100)
		if err != nil {
			t.Fatal(err)
		}
		root, _ := tr.Get(q.RootID)
		got := q.EstimateNodes(root.Counts)
		if got < len(nodes) {
			t.Errorf("%+v: estimate %d below the chart's %d nodes", q, got, len(nodes))
		}
		if (q.Depth < 0 || q.Depth == 0) && got != len(nodes) {
			t.Errorf("%+v: estimate %d, chart %d nodes", q, got, len(nodes))
		}
	}
	p, _ := tr.Get("p")
	if n := p.Counts.Orgs(); n != 6 {
		t.Fatalf("organisations below the province = %d, want 6", n)
	}
}
