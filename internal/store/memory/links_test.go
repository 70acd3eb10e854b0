package memory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// TestLinksFollowWrites: the residence links a chart reads, kept per date
// and moved with every member written, are those counted afresh from the
// records, after writes of every kind that moves a member or a link.
func TestLinksFollowWrites(t *testing.T) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	s := openStore(t, t.TempDir(), nil)
	if _, err := s.Import(ctx, demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Vĩnh Phúc").Reader()); err != nil {
		t.Fatal(err)
	}
	dates := []org.Date{org.DateFrom(2021, 1, 1), org.DateFrom(2021, 6, 1), org.DateFrom(2022, 1, 1)}
	svc := org.NewService(s, func() org.Date { return dates[0] })
	var cells, villages, members []string
	g := s.active.Load().g // no write yet: both sides hold the same records
	for id, e := range g.orgs {
		if v, ok := e.rec.At(dates[0]); ok && v.Kind.HoldsMembers() {
			cells = append(cells, id)
			if v.Sector.IsResidential() {
				villages = append(villages, id)
			}
		}
	}
	for id, e := range g.members {
		if e.rec.CellOn(dates[0]) != "" {
			members = append(members, id)
		}
	}
	links := func() []org.ResidenceLink {
		var all []org.ResidenceLink
		for _, d := range dates {
			l, err := s.ResidenceLinks(ctx, org.View{At: d}, cells)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, l...)
		}
		return all
	}
	links() // cached for each date
	rng := rand.New(rand.NewPCG(3, 5))
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	// above lists an organisation and those above it on date d.
	above := func(id string, d org.Date) []string {
		var up []string
		for id != "" {
			up = append(up, id)
			v, _ := s.active.Load().g.orgs[id].rec.At(d)
			id = v.ParentID
		}
		return up
	}
	// decidedBy is a decision of the lowest committee above both a and b.
	decidedBy := func(a, b string, d org.Date, i int) org.Meta {
		ua, ub := above(a, d), above(b, d)
		issuer := ""
		for _, id := range ua[1:] {
			if slices.Contains(ub[1:], id) {
				issuer = id
				break
			}
		}
		return org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ", i), Date: d, IssuerID: issuer}, EffectiveOn: d}
	}
	applied := 0
	for i := range 200 {
		d := dates[rng.IntN(len(dates))]
		m := pick(members)
		cell := s.active.Load().g.members[m].rec.CellOn(d)
		if cell == "" {
			continue
		}
		var err error
		switch to := pick(cells); rng.IntN(3) {
		case 0:
			_, err = svc.SetResidence(ctx, m, pick(villages), decidedBy(cell, cell, d, i))
		case 1:
			_, err = svc.TransferMember(ctx, m, to, 0, decidedBy(cell, to, d, i))
		default:
			_, err = svc.EndResidence(ctx, m, decidedBy(cell, cell, d, i))
		}
		if err == nil {
			applied++
		}
	}
	if applied == 0 {
		t.Fatal("no write applied: the test checks nothing")
	}
	// Each side keeps links of its own, moved by each write, the last one's
	// applied to the active side only: both must agree with a fresh count.
	var got [2][]org.ResidenceLink
	for i := range got {
		got[i] = links()
		s.pubMu.Lock()
		s.publish(nil) // the other side, caught up
		s.pubMu.Unlock()
	}
	s.settle()
	for _, sd := range s.sides {
		sd.links.reset()
	}
	want := links()
	for i := range got {
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("after %d writes the links kept on side %d differ from those counted afresh", applied, i)
		}
	}
}
