package org

import (
	"slices"
	"testing"
)

func TestCheckNodes(t *testing.T) {
	node := func(id, parent, name string, kind Kind, official, probationary int32) ChartNode {
		n := ChartNode{Org: Org{ID: id, ParentID: parent, Name: name, Kind: kind}}
		n.Counts.Official, n.Counts.Probationary = official, probationary
		if kind.HoldsMembers() {
			n.Counts.DirectOfficial, n.Counts.DirectProbationary = official, probationary
		}
		return n
	}
	nodes := []ChartNode{
		node("p", "", "Đảng bộ tỉnh", Province, 100, 5),
		node("d", "p", "Đảng bộ huyện", District, 100, 5),
		node("g", "d", "Đảng bộ xã Nhỏ", GrassrootsCommittee, 20, 2),
		node("c1", "g", "Chi bộ thôn Một", Cell, 2, 1),
		node("c2", "g", "Chi bộ thôn Hai", Cell, 31, 0),
		node("gc", "d", "Chi bộ cơ sở Lớn", GrassrootsCell, 29, 1),
		node("bad", "p", "Chi bộ lạc chỗ", Cell, 5, 0),
	}
	got := map[string][]string{}
	for _, v := range CheckNodes(nodes, nil) {
		got[v.Subject] = append(got[v.Subject], v.Rule.ID)
		if v.Message == "" {
			t.Errorf("%s %s: no message", v.Rule.ID, v.Subject)
		}
	}
	want := map[string][]string{"g": {"R2"}, "c1": {"R1"}, "c2": {"R3"}, "gc": {"R2"}, "bad": {"R5"}}
	for id, rules := range want {
		if !slices.Equal(got[id], rules) {
			t.Errorf("%s: %v, want %v", id, got[id], rules)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	// A subtree's root is checked against the parent given, or not at all.
	if v := CheckNodes(nodes[3:4], nil); len(v) != 1 || v[0].Rule.ID != "R1" {
		t.Errorf("a cell alone: %+v", v)
	}
	if v := CheckNodes(nodes[3:4], &Org{ID: "d", Kind: District, Name: "Đảng bộ huyện"}); len(v) != 2 || v[0].Rule.ID != "R5" {
		t.Errorf("a cell under a district: %+v", v)
	}
}
