package org

import (
	"fmt"
	"slices"
	"testing"
)

// TestFiltersIgnoreRepetitions: a filter that repeats its values selects and
// names its selection as the filter without repetitions does, whatever their
// number, and more distinct ethnicities than exist are refused.
func TestFiltersIgnoreRepetitions(t *testing.T) {
	once := MemberQuery{Subtree: true, Filter: MemberFilter{Statuses: []MemberStatus{Probationary, Official},
		Genders: []Gender{Female}, Ethnicities: []string{"Kinh", "Tày"}}}
	many := once
	many.Filter.Statuses = slices.Repeat([]MemberStatus{Official, Probationary}, 30_000)
	many.Filter.Genders = slices.Repeat([]Gender{Female}, 1000)
	many.Filter.Ethnicities = slices.Repeat([]string{"Tày", "Kinh"}, 1000)
	if a, b := once.Selection(), many.Selection(); a != b {
		t.Fatalf("the selections differ:\n%s\n%.200s", a, b)
	}
	if err := many.Filter.normalise(); err != nil || len(many.Filter.Statuses) != 2 || len(many.Filter.Ethnicities) != 2 {
		t.Fatalf("normalised to %+v: %v", many.Filter, err)
	}
	m := Member{Status: Official, Gender: Female}
	m.Personal.Ethnicity = "Kinh"
	if !many.Filter.selectsRecord(&m, 0) {
		t.Fatal("the normalised filter does not select what it lists")
	}
	wide := MemberFilter{}
	for i := range maxEthnicities + 1 {
		wide.Ethnicities = append(wide.Ethnicities, fmt.Sprint("Dân tộc ", i), "Kinh")
	}
	if err := wide.normalise(); ErrorCode(err) != EInvalid {
		t.Fatalf("%d distinct ethnicities: %v", maxEthnicities+2, err)
	}
}
