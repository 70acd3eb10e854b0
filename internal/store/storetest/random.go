package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testRandomOperations applies a few hundred operations of every kind to the
// Vĩnh Phúc demo, on effective dates in random order (decisions recorded late
// and planned ones mixed), and then checks that the records still describe a
// structure on every date: whatever was refused wrote nothing, and whatever
// applied left no member without a cell, no cell without a parent, no overlap.
func testRandomOperations(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	seed := testseed.Seed(t, 21)
	rng := rand.New(rand.NewPCG(seed, 10))
	first, last := afterDemo, afterDemo.AddYears(3)
	w := f.randomWorld(first)
	applied, refused := w.apply(rng, 300, func() org.Date { return first + org.Date(rng.IntN(int(last-first))) })
	for _, name := range []string{"establish", "rename", "transfer", "dissolve", "merge", "split", "admit", "move member", "remove"} {
		// The fixed seed exercises every kind; another may leave out one.
		if applied[name] == 0 && seed == 21 {
			t.Errorf("no %s applied (applied %v, refused %d): the test exercises nothing", name, applied, refused)
		}
	}
	recs := exportAll(t, f)
	checkRecords(t, recs)
	f.verifyHistory(first, last, 1)
	// A few organisations read on a date whose structure is not built (the
	// history's subjects and issuers) are what the whole structure says.
	var ids []string
	for _, r := range recs {
		if r.Org != nil {
			ids = append(ids, r.Org.ID)
		}
	}
	for d := first - 400; d <= last; d += 89 {
		v := org.View{At: d}
		var few []org.Org
		for part := range slices.Chunk(ids, 3) {
			got, err := f.s.Orgs(f.ctx, v, part)
			if err != nil {
				t.Fatalf("orgs on %s: %v", d, err)
			}
			few = append(few, got...)
		}
		all, err := f.s.Orgs(f.ctx, v, ids)
		if err != nil {
			t.Fatalf("orgs on %s: %v", d, err)
		}
		for i := range all {
			if !reflect.DeepEqual(few[i], all[i]) {
				t.Fatalf("on %s, %s read alone is %+v, with the whole structure %+v", d, ids[i], few[i], all[i])
			}
		}
	}
	// Every date's structure builds and counts each member once.
	for d := first; d <= last; d += 97 {
		nodes, err := f.s.ChartNodes(f.ctx, org.View{At: d}, org.ChartQuery{RootID: w.province, Depth: -1}, 2000)
		if err != nil {
			t.Fatalf("chart on %s: %v", d, err)
		}
		var direct int32
		for _, n := range nodes {
			direct += n.Counts.DirectMembers()
		}
		if direct != nodes[0].Counts.Members() {
			t.Fatalf("on %s the province counts %d members, its cells %d", d, nodes[0].Counts.Members(), direct)
		}
	}
}

func orErr(_ org.Change, err error) error { return err }

// testHistoryCountsAsListed: for a caller of any subtree, the history's
// counts are those of the changes it lists, paged to the end, and no page
// but the last is short. Random operations crowd into a few days, so that
// cells move out of a subtree and their new owners act on them the same day:
// the changes a subtree's caller may not read must not be counted either.
func testHistoryCountsAsListed(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 5), 17))
	w := f.randomWorld(afterDemo)
	days := []org.Date{afterDemo + 3, afterDemo + 4, afterDemo + 40}
	applied, _ := w.apply(rng, 120, func() org.Date { return days[rng.IntN(len(days))] })
	if applied["transfer"] == 0 {
		t.Fatalf("no transfer applied (%v): nothing leaves a subtree", applied)
	}
	scopes := slices.Concat([]string{w.province}, w.committees, w.cells[:min(len(w.cells), 12)])
	for _, scope := range scopes {
		ctx := f.as([]org.AccessRole{org.Viewer}, scope)
		if _, err := f.svc.Org(ctx, f.now(), scope); err != nil {
			continue // ended: its history is for callers who work everywhere
		}
		var listed org.ChangeCounts
		seqs := map[int64]bool{}
		q := org.ChangeQuery{First: 7}
		for {
			page, err := f.svc.Changes(ctx, q)
			if err != nil {
				t.Fatalf("changes of %s: %v", scope, err)
			}
			if page.HasNext && len(page.Changes) < q.First {
				t.Fatalf("changes of %s: a page of %d of %d before the end", scope, len(page.Changes), q.First)
			}
			for _, c := range page.Changes {
				listed[c.Type]++
				seqs[c.Seq] = true
			}
			if !page.HasNext {
				break
			}
			q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
		}
		// What names the caller's own organisation is theirs to read, its
		// end included.
		all, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: scope, First: org.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all.Changes {
			if slices.Contains(c.Subjects, scope) && !seqs[c.Seq] {
				t.Errorf("the caller of %s does not list change %d (%s on %s), which names it", scope, c.Seq, c.Type, c.EffectiveOn)
			}
		}
		counted, err := f.svc.ChangeCounts(ctx, org.ChangeQuery{})
		if err != nil {
			t.Fatalf("counts of %s: %v", scope, err)
		}
		if counted != listed {
			t.Errorf("the caller of %s counts %v changes but lists %v", scope, counted, listed)
		}
		// Counts over a span of dates and some types, as listing them would.
		span := org.ChangeQuery{Since: days[1], Until: days[2], Types: []org.ChangeType{org.ChangeRenamed, org.ChangeTransferred, org.ChangeAdmitted}}
		var spanListed org.ChangeCounts
		for q := span; ; {
			q.First = org.MaxPageSize
			page, err := f.svc.Changes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Changes {
				spanListed[c.Type]++
			}
			if !page.HasNext {
				break
			}
			q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
		}
		if spanCounted, err := f.svc.ChangeCounts(ctx, span); err != nil || spanCounted != spanListed {
			t.Errorf("the caller of %s counts %v changes of the span but lists %v (%v)", scope, spanCounted, spanListed, err)
		}
	}
}

// checkRecords fails unless every record describes a consistent history:
// versions and stints in order without overlap, every parent and every cell
// in existence while it is named.
func checkRecords(t *testing.T, recs []org.Record) {
	t.Helper()
	orgs := map[string]*org.OrgRecord{}
	for _, r := range recs {
		if r.Org != nil {
			orgs[r.Org.ID] = r.Org
		}
	}
	exists := func(id string, d org.Date) (org.Version, bool) {
		r := orgs[id]
		if r == nil {
			return org.Version{}, false
		}
		return r.At(d)
	}
	for _, r := range recs {
		switch {
		case r.Org != nil:
			for i, v := range r.Org.Versions {
				if v.Since >= v.Until || i > 0 && v.Since < r.Org.Versions[i-1].Until {
					t.Fatalf("%s: versions %v", r.Org.ID, r.Org.Versions)
				}
				if v.ParentID == "" {
					continue
				}
				for _, d := range []org.Date{v.Since, v.Until - 1} {
					if _, ok := exists(v.ParentID, d); !ok && d < on(2030, 1, 1) {
						t.Fatalf("%s (%s) names parent %s, which does not exist on %s", r.Org.ID, v.Name, v.ParentID, d)
					}
				}
			}
		case r.Member != nil:
			var official []org.Stint
			for _, s := range r.Member.Stints {
				if s.Since >= s.Until {
					t.Fatalf("%s: empty stint %v", r.Member.ID, s)
				}
				for _, d := range []org.Date{s.Since, min(s.Until-1, on(2030, 1, 1))} {
					v, ok := exists(s.CellID, d)
					if !ok || !v.Kind.HoldsMembers() {
						t.Fatalf("%s: stint in %s on %s, which is not a cell then", r.Member.ID, s.CellID, d)
					}
				}
				if !s.Temporary {
					official = append(official, s)
				}
			}
			slices.SortFunc(official, func(a, b org.Stint) int { return int(a.Since) - int(b.Since) })
			for i := 1; i < len(official); i++ {
				if official[i].Since < official[i-1].Until {
					t.Fatalf("%s: stints overlap: %v", r.Member.ID, official)
				}
			}
		}
	}
}

// exportJSON is the store's whole export, as bytes to compare.
func exportJSON(t *testing.T, f *fixture) []byte {
	t.Helper()
	b, err := json.Marshal(exportAll(t, f))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// verifyHistory fails unless the history, replayed in effective-date order,
// is the store on every step-th day from first to last and the days around.
func (f *fixture) verifyHistory(first, last org.Date, step org.Date) {
	f.t.Helper()
	var recs []org.Record
	var history []org.Change
	for _, r := range exportAll(f.t, f) {
		if r.Change != nil {
			history = append(history, *r.Change)
		} else {
			recs = append(recs, r)
		}
	}
	var dates []org.Date
	for d := first - 1; d <= last+1; d += step {
		dates = append(dates, d)
	}
	if err := org.VerifyHistory(recs, history, dates); err != nil {
		f.t.Fatalf("history and store disagree: %v", err)
	}
}

// randomWorld is the Vĩnh Phúc demo with what random operations pick from:
// its cells, grassroots committees and some members, growing as they create.
type randomWorld struct {
	f                          *fixture
	province                   string
	cells, committees, members []string
}

func (f *fixture) randomWorld(at org.Date) *randomWorld {
	t := f.t
	province := f.orgNamed(org.View{At: at}, "Đảng bộ tỉnh Vĩnh Phúc").ID

	// ids of the orgs and members the operations pick from, growing as they create.
	nodes, err := f.s.ChartNodes(f.ctx, org.View{At: at}, org.ChartQuery{RootID: province, Depth: -1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var cells, committees []string
	for _, n := range nodes {
		switch n.Kind {
		case org.Cell:
			cells = append(cells, n.ID)
		case org.GrassrootsCommittee:
			committees = append(committees, n.ID)
		}
	}
	var members []string
	for _, c := range cells {
		p, _ := f.s.CellMembers(f.ctx, org.View{At: at}, c, org.PageQuery{First: 5})
		for _, m := range p.Members {
			members = append(members, m.ID)
		}
	}
	return &randomWorld{f: f, province: province, cells: cells, committees: committees, members: members}
}

// apply runs n random operations of every kind on dates from date, and
// returns how many of each applied and how many were refused. A refused one
// must write nothing: every fifth is checked against the export before it.
func (w *randomWorld) apply(rng *rand.Rand, n int, date func() org.Date) (applied map[string]int, refused int) {
	f, t := w.f, w.f.t
	cells, committees, members, province := w.cells, w.committees, w.members, w.province
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	// parentOn is the parent of id on d, or "" when id does not exist then.
	parentOn := func(id string, d org.Date) string {
		o, err := f.s.Org(f.ctx, org.View{At: d}, id)
		if err != nil {
			return ""
		}
		return o.ParentID
	}
	cellOf := func(m string, d org.Date) string {
		mb, err := f.s.Member(f.ctx, org.View{At: d}, m)
		if err != nil {
			return ""
		}
		return mb.CellID
	}

	applied = map[string]int{}
	for i := range n {
		d := date()
		// Every fifth operation, what the store holds before it: one refused
		// must leave the export byte for byte as it was.
		var before []byte
		if i%5 == 0 {
			before = exportJSON(t, f)
		}
		var err error
		var name string
		switch rng.IntN(9) {
		case 0:
			name = "establish"
			gc := pick(committees)
			var ch org.Change
			ch, err = f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: gc, Name: fmt.Sprintf("Chi bộ thôn Mới %d", i), Kind: org.Cell, Sector: org.SectorVillage}, f.byOn(gc, d))
			if err == nil {
				cells = append(cells, ch.Subjects[0])
			}
		case 1:
			name = "rename"
			c := pick(cells)
			err = orErr(f.svc.RenameOrg(f.ctx, c, fmt.Sprintf("Chi bộ thôn Đổi Tên %d", i), f.byOn(parentOn(c, d), d)))
		case 2:
			name = "transfer"
			c, gc := pick(cells), pick(committees)
			err = orErr(f.svc.TransferOrg(f.ctx, c, gc, f.byOn(province, d)))
			if org.ErrorCode(err) == org.ERule { // the lowest common committee may be a district
				err = orErr(f.svc.TransferOrg(f.ctx, c, gc, f.byOn(parentOn(parentOn(c, d), d), d)))
			}
		case 3:
			name = "dissolve"
			c, to := pick(cells), pick(cells)
			err = orErr(f.svc.DissolveOrg(f.ctx, c, org.Destination{MembersTo: to}, f.byOn(parentOn(c, d), d)))
		case 4:
			name = "merge"
			a, b := pick(cells), pick(cells)
			err = orErr(f.svc.MergeOrgs(f.ctx, []string{a}, org.MergeTarget{ID: b}, f.byOn(parentOn(a, d), d)))
		case 5:
			name = "split"
			c := pick(cells)
			page, _ := f.s.CellMembers(f.ctx, org.View{At: d}, c, org.PageQuery{First: 2})
			var ids []string
			for _, m := range page.Members {
				ids = append(ids, m.ID)
			}
			var ch org.Change
			ch, err = f.svc.SplitOrg(f.ctx, c, org.NewOrg{Name: fmt.Sprintf("Chi bộ thôn Tách %d", i), Kind: org.Cell, Sector: org.SectorVillage},
				ids, nil, f.byOn(parentOn(c, d), d))
			if err == nil {
				cells = append(cells, ch.Subjects[1])
			}
		case 6:
			name = "admit"
			c := pick(cells)
			var ch org.Change
			ch, err = f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c, FullName: fmt.Sprintf("Người Mới %d", i)}, f.byOn(parentOn(c, d), d))
			if err == nil {
				members = append(members, ch.Subjects[0])
			}
		case 7:
			name = "move member"
			m, c := pick(members), pick(cells)
			err = orErr(f.svc.TransferMember(f.ctx, m, c, 0, f.byOn(province, d)))
			if org.ErrorCode(err) == org.ERule {
				err = orErr(f.svc.TransferMember(f.ctx, m, c, 0, f.byOn(parentOn(parentOn(cellOf(m, d), d), d), d)))
			}
		default:
			name = "remove"
			m := pick(members)
			err = orErr(f.svc.RemoveMember(f.ctx, m, org.RemovalWithdrew, f.byOn(parentOn(cellOf(m, d), d), d)))
		}
		switch {
		case err == nil:
			applied[name]++
		case slices.Contains([]string{org.ENotFound, org.ERule, org.EInvalid, org.EConflict}, org.ErrorCode(err)):
			refused++
			if before != nil && !bytes.Equal(before, exportJSON(t, f)) {
				t.Fatalf("operation %d (%s) on %s was refused (%v) but changed the store", i, name, d, err)
			}
		default:
			t.Fatalf("operation %d (%s) on %s: %v", i, name, d, err)
		}
	}
	w.cells, w.committees, w.members = cells, committees, members
	return applied, refused
}
