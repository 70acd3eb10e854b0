package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testLateMovePairs: two moves by decisions dated before changes already
// recorded — one cell moved twice, or a cell into a committee and that
// committee elsewhere (in either order) — applied in one transaction (a
// scenario) or one after the other, re-place the later history as the moves
// leave the structure: every change lies within exactly the organisations
// that hold what it names on its date. The pairs are generated; each is
// applied after the history it precedes.
func testLateMovePairs(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	first := afterDemo + 30
	w := f.randomWorld(first)
	nodes, err := f.s.ChartNodes(f.ctx, org.View{At: first}, org.ChartQuery{RootID: w.province, Depth: 1}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var districts []string
	for _, n := range nodes {
		if n.Kind == org.District {
			districts = append(districts, n.ID)
		}
	}
	if len(districts) < 2 || len(w.committees) < 2 {
		t.Fatalf("districts %v, committees %v: too few to move between", districts, w.committees)
	}
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 12), 31))
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	pickBut := func(ids []string, not string) string {
		return pick(slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == not }))
	}
	parentOn := func(id string, d org.Date) string {
		o, err := f.s.Org(f.ctx, org.View{At: d}, id)
		if err != nil {
			t.Fatal(err)
		}
		return o.ParentID
	}
	transfer := func(id, to string) org.Operation { return org.Operation{Type: org.OpTransferOrg, ID: id, ParentID: to} }
	applied := map[string]int{}
	// The pairs' own changes, one day's, lie where each was recorded in
	// turn (the move of a committee recorded after a cell moved into it
	// leaves the cell's move where the committee then was), not where the
	// structure now places them: only the history they precede is checked.
	var own []int64
	for round := range 16 {
		at := first + org.Date(60*round)
		// The history the pair precedes, some ten to fifty days after it:
		// renames and admissions, half of them in the cell it moves.
		cell := pick(w.cells)
		for i := range 8 {
			d, in := at+10+org.Date(rng.IntN(40)), cell
			if rng.IntN(2) == 0 {
				in = pick(w.cells)
			}
			if i%2 == 0 {
				_, err = f.svc.RenameOrg(f.ctx, in, fmt.Sprintf("Chi bộ thôn Đổi Tên %d-%d", round, i), f.byOn(parentOn(in, d), d))
			} else {
				_, err = f.svc.AdmitMember(f.ctx, org.NewMember{CellID: in, FullName: fmt.Sprintf("Người Mới %d-%d", round, i)}, f.byOn(parentOn(in, d), d))
			}
			if err != nil {
				t.Fatalf("round %d, change %d on %s: %v", round, i, d, err)
			}
		}
		// Each move goes somewhere else than where its organisation then is.
		committee := pickBut(w.committees, parentOn(cell, at))
		var name string
		var ops []org.Operation
		switch rng.IntN(3) {
		case 0:
			name, ops = "one cell moved twice", []org.Operation{transfer(cell, committee), transfer(cell, pickBut(w.committees, committee))}
		case 1:
			name, ops = "a cell moved into a committee, then the committee", []org.Operation{transfer(cell, committee),
				transfer(committee, pickBut(districts, parentOn(committee, at)))}
		default:
			name, ops = "a committee moved, then a cell into it", []org.Operation{transfer(committee, pickBut(districts, parentOn(committee, at))),
				transfer(cell, committee)}
		}
		// In one transaction (a scenario applied), or one after the other.
		var changes []org.Change
		if rng.IntN(2) == 0 {
			name += ", in a scenario"
			sc, created := f.scn.Create(f.ctx, fmt.Sprintf("Hai lần chuyển %d", round), w.province, at)
			if created != nil {
				t.Fatal(created)
			}
			f.addOps(sc.ID, ops...)
			_, changes, err = f.scn.Apply(f.ctx, sc.ID, f.byOn(w.province, at).Decision, 0)
		} else {
			for _, op := range ops {
				var c org.Change
				if c, err = f.svc.TransferOrg(f.ctx, op.ID, op.ParentID, f.byOn(w.province, at)); err != nil {
					break
				}
				changes = append(changes, c)
			}
		}
		for _, c := range changes {
			own = append(own, c.Seq)
		}
		switch {
		case err == nil:
			applied[name]++
		case !slices.Contains([]string{org.ERule, org.EConflict, org.EInvalid}, org.ErrorCode(err)):
			t.Fatalf("round %d (%s): %v", round, name, err)
		}
	}
	if len(applied) < 5 {
		t.Fatalf("the pairs applied: %v; the test exercises too little", applied)
	}
	holders := f.holders(first)
	for _, seq := range own {
		delete(holders, seq)
	}
	for _, o := range slices.Concat([]string{w.province}, districts, w.committees, w.cells) {
		f.listedWhereHeld(holders, o, first)
	}
}
