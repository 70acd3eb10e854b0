package neo4j

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// chartOf is the chart's nodes as "id<chart parent>depth", with their organisations.
func chartOf(nodes []org.ChartNode) (shape []string, orgs []org.Org) {
	for _, n := range nodes {
		shape = append(shape, fmt.Sprintf("%s<%s%d", n.ID, n.ChartParentID, n.Depth))
		orgs = append(orgs, n.Org)
	}
	return shape, orgs
}

// wantOrgsAsOrgReadsThem checks that each chart node carries the organisation
// Org reads on the same date: state, ratings and counts.
func wantOrgsAsOrgReadsThem(t *testing.T, s *Store, v org.View, orgs []org.Org) {
	t.Helper()
	for _, o := range orgs {
		want, err := s.Org(ctx, v, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(o, want) {
			t.Fatalf("chart node\n got  %+v\nwant %+v", o, want)
		}
	}
}

func TestChartNodesReadCountsWithTheRecords(t *testing.T) {
	s, f := loaded(t)
	// The statement returns rows in no particular order: the chart orders them.
	f.answer["subtree_records"] = func(p map[string]any) []row {
		rows := fakeModels["subtree_records"](f.g, p)
		slices.Reverse(rows)
		return rows
	}
	nodes, err := s.ChartNodes(ctx, now(), org.ChartQuery{RootID: "p", Depth: -1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	shape, orgs := chartOf(nodes)
	if want := []string{"p<0", "d<p1", "gc<d2", "c1<gc3", "c2<gc3"}; !slices.Equal(shape, want) {
		t.Fatalf("chart %v, want %v", shape, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"subtree_records"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"id": "p", "at": dateParam(today)}) {
		t.Fatalf("subtree_records params %v", p)
	}
	if !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("transactions %v, want one read", f.modes)
	}
	if orgs[0].Counts != provinceCounts || orgs[0].Code != "VP" || orgs[2].Counts != communeCounts ||
		orgs[3].Counts != cellCounts(1, 1) || orgs[4].Counts != cellCounts(2, 0) {
		t.Fatalf("chart organisations %+v", orgs)
	}
	wantOrgsAsOrgReadsThem(t, s, now(), orgs)
}

func TestChartNodesOnAnEarlierDate(t *testing.T) {
	s, f := loaded(t)
	before := org.View{At: org.DateFrom(2021, 7, 1)}
	nodes, err := s.ChartNodes(ctx, before, org.ChartQuery{RootID: "gc", Depth: -1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	shape, orgs := chartOf(nodes)
	// The chart's root hangs from nothing, whatever its parent in the structure.
	if want := []string{"gc<0", "c1<gc1", "c2<gc1"}; !slices.Equal(shape, want) {
		t.Fatalf("chart %v, want %v", shape, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"subtree_records"}) {
		t.Fatalf("statements %v", got)
	}
	// m4 had not moved yet from c1 to c2.
	if orgs[0].ParentID != "d" || orgs[1].Counts != cellCounts(2, 1) || orgs[2].Counts != cellCounts(1, 0) {
		t.Fatalf("chart organisations %+v", orgs)
	}
	wantOrgsAsOrgReadsThem(t, s, before, orgs)

	// Before the rename and before m2 was admitted.
	early := org.View{At: org.DateFrom(2020, 3, 1)}
	nodes, err = s.ChartNodes(ctx, early, org.ChartQuery{RootID: "p", Depth: -1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	_, orgs = chartOf(nodes)
	if orgs[2].Name != "Đảng ủy xã Tam Hồng (cũ)" || orgs[0].Counts.Probationary != 0 || orgs[3].Counts != cellCounts(2, 0) {
		t.Fatalf("early chart organisations %+v", orgs)
	}
	wantOrgsAsOrgReadsThem(t, s, early, orgs)
}

func TestChartNodesKindsDepthAndLimit(t *testing.T) {
	s, f := loaded(t)
	for _, tc := range []struct {
		q    org.ChartQuery
		want []string
	}{
		// Cells hang from the root, the nearest organisation shown above them.
		{org.ChartQuery{RootID: "p", Depth: -1, Kinds: []org.Kind{org.Cell}}, []string{"p<0", "c1<p3", "c2<p3"}},
		{org.ChartQuery{RootID: "p", Depth: 1}, []string{"p<0", "d<p1"}},
		{org.ChartQuery{RootID: "p", Depth: 2, Kinds: []org.Kind{org.Cell}}, []string{"p<0"}},
		{org.ChartQuery{RootID: "c1", Depth: -1}, []string{"c1<0"}},
	} {
		nodes, err := s.ChartNodes(ctx, now(), tc.q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if shape, _ := chartOf(nodes); !slices.Equal(shape, tc.want) {
			t.Errorf("%+v: chart %v, want %v", tc.q, shape, tc.want)
		}
	}

	_, err := s.ChartNodes(ctx, now(), org.ChartQuery{RootID: "p", Depth: -1}, 4)
	wantCode(t, err, org.EInvalid)
	_, err = s.ChartNodes(ctx, now(), org.ChartQuery{RootID: "p", Depth: -1, Kinds: []org.Kind{org.Cell}}, 2)
	wantCode(t, err, org.EInvalid)

	for _, tc := range []struct {
		v    org.View
		root string
	}{{now(), "nope"}, {org.View{At: founded - 1}, "p"}} {
		f.reset()
		_, err = s.ChartNodes(ctx, tc.v, org.ChartQuery{RootID: tc.root, Depth: -1}, 5)
		wantCode(t, err, org.ENotFound)
		if got := f.names(); !slices.Equal(got, []string{"subtree_records"}) {
			t.Fatalf("statements for a missing root %v", got)
		}
	}

	f.answer["subtree_records"] = func(map[string]any) []row { return []row{{"id": "p", "rev": "7"}} }
	if _, err := s.ChartNodes(ctx, now(), org.ChartQuery{RootID: "p", Depth: -1}, 5); err == nil || org.ErrorCode(err) != org.EInternal {
		t.Fatalf("a bad record: %v", err)
	}
}

func TestResidenceLinks(t *testing.T) {
	s, f := loaded(t)
	cells := []string{"c1", "c2", "gc"}
	links, err := s.ResidenceLinks(ctx, now(), cells)
	if err != nil {
		t.Fatal(err)
	}
	// m3, whose cell is c2, lives in c1.
	if want := []org.ResidenceLink{{From: "c2", To: "c1", Members: 1}}; !reflect.DeepEqual(links, want) {
		t.Fatalf("links %+v, want %+v", links, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"residence_links"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"cells": cells, "at": dateParam(today)}) {
		t.Fatalf("residence_links params %v", p)
	}
	if !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("transactions %v, want one read", f.modes)
	}

	if _, err := service(s).SetResidence(ctx, "m4", "c1", decision("07-QĐ/ĐU", "gc")); err != nil {
		t.Fatal(err)
	}
	if links, _ := s.ResidenceLinks(ctx, now(), cells); len(links) != 1 || links[0].Members != 2 {
		t.Fatalf("links after m4 moved in %+v", links)
	}
	for _, tc := range []struct {
		v     org.View
		cells []string
	}{
		{now(), []string{"c1"}},                         // c2 is not drawn
		{org.View{At: org.DateFrom(2018, 1, 1)}, cells}, // before m3's link
	} {
		if links, err := s.ResidenceLinks(ctx, tc.v, tc.cells); err != nil || links == nil || len(links) != 0 {
			t.Errorf("on %s among %v: links %+v, %v", tc.v.At, tc.cells, links, err)
		}
	}

	f.reset()
	if links, err := s.ResidenceLinks(ctx, now(), nil); err != nil || links == nil || len(links) != 0 || len(f.modes) != 0 {
		t.Fatalf("no cells: links %+v, %v, transactions %v", links, err, f.modes)
	}
}

func TestResidenceLinksDecodesEveryRecord(t *testing.T) {
	s, f := loaded(t)
	f.answer["residence_links"] = func(map[string]any) []row {
		return []row{
			{"fromId": "c1", "toId": "c2", "members": int64(3)},
			{"fromId": "c2", "toId": "c1", "members": int64(1)},
		}
	}
	links, err := s.ResidenceLinks(ctx, now(), []string{"c1", "c2"})
	want := []org.ResidenceLink{{From: "c1", To: "c2", Members: 3}, {From: "c2", To: "c1", Members: 1}}
	if err != nil || !reflect.DeepEqual(links, want) {
		t.Fatalf("links %+v, %v", links, err)
	}
	f.answer["residence_links"] = func(map[string]any) []row { return []row{{"fromId": "c1", "toId": "c2", "members": "3"}} }
	if _, err := s.ResidenceLinks(ctx, now(), []string{"c1", "c2"}); org.ErrorCode(err) != org.EInternal {
		t.Fatalf("a bad count: %v", err)
	}
}
