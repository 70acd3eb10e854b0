package memory

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// scanDirect is the count on one date that the steps stand for: every
// member whose official cell on d is e, by status.
func scanDirect(e *orgEntry, d org.Date) (official, probation int32) {
	for _, m := range e.stints {
		if m.rec.CellOn(d) != e.rec.ID {
			continue
		}
		if m.rec.StatusOn(d) == org.Official {
			official++
		} else {
			probation++
		}
	}
	return official, probation
}

// TestDirectCountsOnEveryDate: an organisation's direct counts read from its
// steps equal a walk over its members on every date, for generated members
// whose stints overlap, are temporary, empty or open-ended, before and after
// writes that move members in and out (which must forget the steps).
func TestDirectCountsOnEveryDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 20261207), 7))
	base := org.DateFrom(2020, 1, 1)
	cells := []string{"c0", "c1", "c2"}
	member := func(i int) org.MemberRecord {
		r := org.MemberRecord{ID: fmt.Sprintf("m%03d", i), FullName: fmt.Sprintf("Đảng viên %d", i), AdmittedOn: base}
		at := base + org.Date(rng.IntN(40))
		for range 1 + rng.IntN(4) {
			s := org.Stint{Span: org.Span{Since: at, Until: org.Forever}, CellID: cells[rng.IntN(len(cells))], Temporary: rng.IntN(5) == 0}
			if rng.IntN(4) > 0 {
				s.Until = at + org.Date(rng.IntN(30))
			}
			r.Stints = append(r.Stints, s)
			at += org.Date(rng.IntN(25)) - 3
		}
		if rng.IntN(3) > 0 {
			on := base + org.Date(rng.IntN(120))
			r.OfficialOn = &on
		}
		return r
	}
	g := newGraph()
	for _, id := range cells {
		g.putOrg(org.OrgRecord{ID: id, Versions: []org.Version{{Span: org.Span{Since: base, Until: org.Forever}, Name: id, Kind: org.Cell}}})
	}
	check := func(step string) {
		t.Helper()
		for _, id := range cells {
			e := g.orgs[id]
			for d := base - 2; d < base+160; d++ {
				o, p := g.direct.on(e, d)
				if wo, wp := scanDirect(e, d); o != wo || p != wp {
					t.Fatalf("%s: %s on %s: steps say %d official and %d probationary, the members %d and %d", step, id, d, o, p, wo, wp)
				}
			}
		}
	}
	for i := range 60 {
		g.putMember(member(i))
	}
	check("after the members joined")
	for round := range 40 {
		g.putMember(member(rng.IntN(80)))
		check(fmt.Sprintf("after write %d", round))
	}
}
