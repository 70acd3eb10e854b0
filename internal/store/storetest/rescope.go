package storetest

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testLateMovesRescopeHistory: a decision recorded late that moves an
// organisation moves the history already recorded for later dates in its
// subtree with it. A cell renamed and a member admitted into it in May, then
// the cell transferred by a decision dated March: the new owner's history
// lists both, for an admin and for its viewer alike, and the former owner's
// lists neither; an export imported elsewhere says the same, and so does a
// scenario that transfers another cell so, once applied; a second late
// move of the cell, from April, takes only what follows it. Then, for
// random operations on dates in random order, every change lies within
// exactly the organisations that hold what it names on its date.
func testLateMovesRescopeHistory(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	v := org.View{At: afterDemo}
	from, to := f.orgNamed(v, "Đảng bộ xã Tam Hồng"), f.orgNamed(v, "Đảng bộ xã Bạch Lưu")
	children, err := f.s.Children(f.ctx, v, from.ID, org.PageQuery{First: 2}, []org.Kind{org.Cell})
	if err != nil || len(children.Orgs) != 2 {
		t.Fatalf("a cell of %s: %+v, %v", from.Name, children, err)
	}
	cell := children.Orgs[0].ID
	march, may := afterDemo+60, afterDemo+120
	renamed, err := f.svc.RenameOrg(f.ctx, cell, "Chi bộ thôn Đổi Tên", f.byOn(from.ID, may))
	if err != nil {
		t.Fatal(err)
	}
	admitted, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: cell, FullName: "Nguyễn Văn Mới"}, f.byOn(from.ID, may+1))
	if err != nil {
		t.Fatal(err)
	}
	province := f.orgNamed(v, "Đảng bộ tỉnh Vĩnh Phúc").ID
	if _, err := f.svc.TransferOrg(f.ctx, cell, to.ID, f.byOn(province, march)); err != nil {
		t.Fatal(err)
	}
	check := func(s *org.Service, where string) {
		t.Helper()
		for _, c := range []struct {
			within string
			want   []int64
		}{{to.ID, []int64{renamed.Seq, admitted.Seq}}, {from.ID, nil}} {
			q := org.ChangeQuery{Within: c.within, Since: march + 1}
			admin := listedSeqs(t, s, f.ctx, q)
			viewer := listedSeqs(t, s, f.as([]org.AccessRole{org.Viewer}, c.within), q)
			if !slices.Equal(admin, c.want) || !slices.Equal(viewer, c.want) {
				t.Errorf("%s: within %s after March an admin lists %v, its viewer %v; want %v", where, c.within, admin, viewer, c.want)
			}
		}
	}
	check(f.svc, "the store")
	other := f.open(t)
	t.Cleanup(func() { other.Close() })
	if _, err := other.Import(f.ctx, &Records{Recs: exportAll(t, f)}); err != nil {
		t.Fatal(err)
	}
	check(org.NewService(other, func() org.Date { return today }), "an export imported")

	// The same transfer in a scenario dated March, applied.
	second := children.Orgs[1].ID
	renamed2, err := f.svc.RenameOrg(f.ctx, second, "Chi bộ thôn Đổi Tên Hai", f.byOn(from.ID, may))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.scn.Create(f.ctx, "Chuyển chi bộ", province, march)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpTransferOrg, ID: second, ParentID: to.ID})
	if _, _, err := f.scn.Apply(f.ctx, sc.ID, f.byOn(province, march).Decision, 0); err != nil {
		t.Fatal(err)
	}
	for within, want := range map[string][]int64{to.ID: {renamed.Seq, renamed2.Seq, admitted.Seq}, from.ID: nil} {
		if got := listedSeqs(t, f.svc, f.ctx, org.ChangeQuery{Within: within, Since: march + 1}); !slices.Equal(got, want) {
			t.Errorf("after the scenario applied, within %s an admin lists %v after March, want %v", within, got, want)
		}
	}

	// A second late move, from April, takes only what follows it: what
	// happened in the cell between March and April stays the first new
	// owner's.
	inMarch, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: cell, FullName: "Trần Văn Tháng Ba"}, f.byOn(to.ID, march+10))
	if err != nil {
		t.Fatal(err)
	}
	third := f.createOrg(to.ParentID, "Đảng bộ xã Mới", org.GrassrootsCommittee, org.SectorCommune)
	april := march + 30
	moved, err := f.svc.TransferOrg(f.ctx, cell, third.ID, f.byOn(to.ParentID, april))
	if err != nil {
		t.Fatal(err)
	}
	for within, want := range map[string][]int64{to.ID: {inMarch.Seq, moved.Seq, renamed2.Seq}, third.ID: {moved.Seq, renamed.Seq, admitted.Seq}, from.ID: nil} {
		if got := listedSeqs(t, f.svc, f.ctx, org.ChangeQuery{Within: within, Since: march + 1}); !slices.Equal(got, want) {
			t.Errorf("after a second late move, within %s an admin lists %v after March, want %v", within, got, want)
		}
	}

	// Random operations, each on a day of its own (a day's changes stay in
	// the order recorded), so that transfers are often recorded after
	// changes dated later in the cells they move.
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 9), 23))
	first := may + 10
	days := rng.Perm(400)
	w := f.randomWorld(first)
	applied, _ := w.apply(rng, 90, func() org.Date {
		d := first + org.Date(days[0])
		days = days[1:]
		return d
	})
	if applied["transfer"] == 0 {
		t.Fatalf("no transfer applied (%v): nothing moves", applied)
	}
	holders := f.holders(first)
	orgs := slices.Concat([]string{w.province}, w.committees, w.cells)
	for _, o := range orgs {
		q := org.ChangeQuery{Within: o, Since: first}
		admin := f.listedWhereHeld(holders, o, first)
		viewer := f.as([]org.AccessRole{org.Viewer}, o)
		if _, err := f.svc.Org(viewer, f.now(), o); err != nil {
			continue // not there today: its history is for callers who work everywhere
		}
		// The viewer reads what concerns them: at least every change that
		// wrote an organisation or a member's cell in their subtree, and
		// nothing an admin does not list for it; and counts what they list.
		listed := slices.Sorted(slices.Values(listedSeqs(t, f.svc, viewer, q)))
		for _, seq := range slices.Sorted(maps.Keys(holders)) {
			if holders[seq].core[o] != slices.Contains(listed, seq) && (holders[seq].core[o] || !slices.Contains(admin, seq)) {
				t.Errorf("within %s its viewer lists %v, an admin %v: change %d is wrong", o, listed, admin, seq)
			}
		}
		counts, err := f.svc.ChangeCounts(viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range counts {
			n += k
		}
		if n != len(listed) {
			t.Errorf("within %s its viewer counts %d changes and lists %d", o, n, len(listed))
		}
	}
}

// listedWhereHeld fails the test unless an admin's history within o, from
// first on, lists exactly the changes of holders whose records it places
// within o; it returns their numbers.
func (f *fixture) listedWhereHeld(holders map[int64]holding, o string, first org.Date) []int64 {
	f.t.Helper()
	admin := slices.DeleteFunc(listedSeqs(f.t, f.svc, f.ctx, org.ChangeQuery{Within: o, Since: first}), func(seq int64) bool {
		_, ok := holders[seq]
		return !ok
	})
	slices.Sort(admin)
	var want []int64
	for _, seq := range slices.Sorted(maps.Keys(holders)) {
		if holders[seq].all[o] {
			want = append(want, seq)
		}
	}
	if !slices.Equal(admin, want) {
		f.t.Errorf("within %s an admin lists %v, but what the changes name lies within it for %v", o, admin, want)
	}
	return admin
}

// listedSeqs pages through the changes q selects as the caller of ctx
// reads them, and returns their numbers.
func listedSeqs(t *testing.T, s *org.Service, ctx context.Context, q org.ChangeQuery) []int64 {
	t.Helper()
	var seqs []int64
	q.First = 100
	for {
		page, err := s.Changes(ctx, q)
		if err != nil {
			t.Fatalf("changes within %s: %v", q.Within, err)
		}
		for _, c := range page.Changes {
			seqs = append(seqs, c.Seq)
		}
		if !page.HasNext {
			return seqs
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
}

// holding is the organisations that hold what a change names on its date:
// all of it, and its core (what it wrote, not where it came from or went).
type holding struct{ all, core map[string]bool }

// holders is, for every change effective from first on, the organisations
// that hold what its records name on its date, as the store places them
// now: the history's own answer (its scopes) is what this checks. A record
// names the organisation it is and, where the change moved it, where it
// was and where it went; a member their cell and, where the change moved
// it, their residence. An organisation that ended that day stood where it
// stood the day before.
func (f *fixture) holders(first org.Date) map[int64]holding {
	t := f.t
	t.Helper()
	out := map[int64]holding{}
	q := org.ChangeQuery{Since: first, First: org.MaxPageSize}
	for {
		page, err := f.svc.Changes(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			d := c.EffectiveOn
			up := func(in map[string]bool, id string) {
				for id != "" && !in[id] {
					in[id] = true
					o, err := f.s.Org(f.ctx, org.View{At: d}, id)
					if org.ErrorCode(err) == org.ENotFound {
						o, err = f.s.Org(f.ctx, org.View{At: d - 1}, id)
					}
					if org.ErrorCode(err) == org.ENotFound {
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					id = o.ParentID
				}
			}
			h := holding{all: map[string]bool{}, core: map[string]bool{}}
			name := func(core bool, ids ...string) {
				for _, id := range ids {
					up(h.all, id)
					if core {
						up(h.core, id)
					}
				}
			}
			before := map[string]org.Record{}
			for _, r := range c.Before {
				before[r.ID()] = r
			}
			for _, a := range c.After {
				b := before[a.ID()]
				switch {
				case a.Org != nil:
					name(true, a.Org.ID)
					if p := placeOf(b.Org, d); b.Org == nil || p != placeOf(a.Org, d) {
						name(false, p, placeOf(a.Org, d))
					}
				case a.Member != nil:
					name(true, a.Member.CellOn(d))
					if b.Member != nil {
						name(true, b.Member.CellOn(d))
					}
					if b.Member == nil || b.Member.ResidenceOn(d) != a.Member.ResidenceOn(d) {
						name(false, a.Member.ResidenceOn(d))
						if b.Member != nil {
							name(false, b.Member.ResidenceOn(d))
						}
					}
				}
			}
			out[c.Seq] = h
		}
		if !page.HasNext {
			return out
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
}

// placeOf is an organisation's parent on date d in record r, "" when r is
// nil or it does not exist then.
func placeOf(r *org.OrgRecord, d org.Date) string {
	if r == nil {
		return ""
	}
	if v, ok := r.At(d); ok {
		return v.ParentID
	}
	return ""
}
