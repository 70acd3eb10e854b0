package demo

import (
	"testing"
	"time"

	"dangbo/internal/org"
)

// TestPresent: on any day from each province's figures to End, the party
// reads as a party of that day: a handful of probationary members past their
// twelve months (R7, as committees meet late), none a season late; members
// admitted every year and confirmed; membership steady; every grassroots
// organisation rated for every year ended.
func TestPresent(t *testing.T) {
	d := demoData()
	for _, p := range provinces {
		pd := d.Province(p.name)
		plan := p.present
		overdueMost := max(3, plan.admissions/40)
		// From a fortnight on: Kon Tum's history confirmed members up to 45 days late.
		for at := plan.from.AddDays(14); at <= End; at = at.AddDays(17) {
			overdue := 0
			for i := range pd.Members {
				m := &pd.Members[i]
				if m.CellOn(at) == "" {
					continue
				}
				if m.StatusOn(at) == org.Probationary && m.AdmittedOn.AddYears(1) < at {
					overdue++
					if late := at - m.AdmittedOn.AddYears(1); late > 90 {
						t.Fatalf("%s on %s: %s probationary since %s", p.name, at, m.ID, m.AdmittedOn)
					}
				}
			}
			if overdue > overdueMost {
				t.Errorf("%s on %s: %d probationary members overdue", p.name, at, overdue)
			}
		}
		start, end := headcount(pd, plan.from), headcount(pd, End)
		if float64(end) < 0.95*float64(start) || float64(end) > 1.25*float64(start) {
			t.Errorf("%s: %d members on %s, %d on %s", p.name, start, plan.from, end, End)
		}
		admitted := map[int]int{}
		for i := range pd.Members {
			if a := pd.Members[i].AdmittedOn; a >= plan.from {
				admitted[a.Year()]++
			}
		}
		for y := plan.from.Year() + 1; y <= End.Year(); y++ {
			days := min(End, org.DateFrom(y, time.December, 31)) - org.DateFrom(y, time.January, 1) + 1
			if admitted[y] < plan.admissions*int(days)/365*9/10 {
				t.Errorf("%s: %d admitted in %d", p.name, admitted[y], y)
			}
		}
		for i := range pd.Orgs {
			o := &pd.Orgs[i]
			v, ok := o.At(End)
			if !ok || !v.Kind.IsGrassroots() {
				continue
			}
			for y := plan.from.Year(); y < End.Year(); y++ {
				if _, rated := o.Rating(y); !rated && o.Established() < org.DateFrom(y, time.December, 15) {
					t.Fatalf("%s: %q not rated for %d", p.name, v.Name, y)
				}
			}
		}
	}
}

// headcount counts the members of d on a date.
func headcount(d *Dataset, at org.Date) int {
	n := 0
	for i := range d.Members {
		if d.Members[i].CellOn(at) != "" {
			n++
		}
	}
	return n
}
