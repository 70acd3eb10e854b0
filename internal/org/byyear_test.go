package org

import (
	"slices"
	"testing"
)

// An organisation or member read as of a date shows only the yearly facts
// of that year and before: later years' ratings were decided later, perhaps
// by the committee they moved to (an outside tester read, as the former
// owner's viewer, the ratings a new owner gave after a late transfer).
func TestYearlyFactsAsOfADate(t *testing.T) {
	ratings := []YearRating{{2022, Excellent}, {2020, Good}, {2021, Good}, {2025, Good}}
	o := OrgRecord{ID: "o", Versions: []Version{{Span: Span{Since: DateFrom(2019, 1, 1), Until: Forever}, Name: "Chi bộ", Kind: Cell}},
		Ratings: ratings, Meetings: []YearCount{{2020, 12}, {2023, 11}}}
	m := MemberRecord{ID: "m", Stints: []Stint{{Span: Span{Since: DateFrom(2019, 1, 1), Until: Forever}, CellID: "o"}}, Ratings: ratings}
	for _, tc := range []struct {
		at       Date
		years    []int
		meetings int
	}{
		{DateFrom(2019, 6, 1), nil, 0},
		{DateFrom(2021, 5, 31), []int{2020, 2021}, 1},
		{DateFrom(2026, 12, 7), []int{2020, 2021, 2022, 2025}, 2},
	} {
		got, _ := o.OrgAt(tc.at)
		mem, _ := m.MemberAt(tc.at)
		for _, rs := range [][]YearRating{got.Ratings, mem.Ratings} {
			var years []int
			for _, r := range rs {
				years = append(years, r.Year)
			}
			slices.Sort(years)
			if !slices.Equal(years, tc.years) || len(got.Meetings) != tc.meetings {
				t.Errorf("as of %s: ratings of %v, %d meetings; want %v, %d", tc.at, years, len(got.Meetings), tc.years, tc.meetings)
			}
		}
	}
	if len(o.Ratings) != 4 {
		t.Fatal("the record's ratings were changed")
	}
}
