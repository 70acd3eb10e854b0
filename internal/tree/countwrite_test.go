package tree

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"dangbo/internal/testseed"

	"dangbo/internal/org"
)

// TestWriteCountsMatchesRecount writes random records over random structures
// (organisations moving, ending and appearing, members moving and confirmed)
// and checks that the counts writeCounts derives from those before the write
// are what a recount of the whole structure after it gives, on random dates
// and on the open-ended one, and that it leaves out no organisation whose
// counts changed.
func TestWriteCountsMatchesRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 16), 0))
	g := countWorld{rng: rng}
	newOrg, newMember, date := g.newOrg, g.newMember, g.date
	written := 0
	for round := range 300 {
		n := 3 + rng.IntN(12)
		orgs := map[string]*org.OrgRecord{}
		for i := range n {
			orgs[fmt.Sprint("o", i)] = newOrg(i)
		}
		members := map[string]*org.MemberRecord{}
		for i := range rng.IntN(30) {
			id := fmt.Sprint("m", i)
			members[id] = newMember(id, n)
		}
		at := date()
		if rng.IntN(3) == 0 {
			at = org.Forever - 1
		}
		before := recountAll(at, orgs, members)

		var orgPuts []RecordPut[org.OrgRecord]
		var memberPuts []RecordPut[org.MemberRecord]
		afterOrgs, afterMembers := clone(orgs), clone(members)
		for i := range n + 2 {
			if rng.IntN(4) == 0 {
				id := fmt.Sprint("o", i)
				r := newOrg(i)
				orgPuts = append(orgPuts, RecordPut[org.OrgRecord]{Before: orgs[id], After: r})
				afterOrgs[id] = r
			}
		}
		for i := range len(members) + 2 {
			if rng.IntN(3) == 0 {
				id := fmt.Sprint("m", i)
				r := newMember(id, n+2)
				memberPuts = append(memberPuts, RecordPut[org.MemberRecord]{Before: members[id], After: r})
				afterMembers[id] = r
			}
		}
		if appearsOccupied(at, orgs, afterOrgs, members, afterMembers) {
			continue // the domain creates and revives organisations empty
		}
		after := recountAll(at, afterOrgs, afterMembers)

		got, err := writeCounts(at, orgPuts, memberPuts, func(id string) (*org.OrgRecord, org.Counts, bool) {
			return orgs[id], before[id], true
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for id := range afterOrgs {
			want := after[id]
			c, ok := got[id]
			if !ok {
				c = before[id]
			}
			if c != want {
				t.Fatalf("round %d on %s: %s counts %+v, recounted %+v (computed: %v)", round, at, id, c, want, ok)
			}
		}
		written++
	}
	if written < 100 {
		t.Fatalf("%d writes checked of 300: the generator makes too few the domain could", written)
	}
}

// countWorld generates random structures and writes of them: organisations
// moving, ending and appearing, members moving and confirmed, over 60 days.
type countWorld struct{ rng *rand.Rand }

func (g countWorld) date() org.Date { return org.DateFrom(2020, 1, 1).AddDays(g.rng.IntN(60)) }

func (g countWorld) newOrg(i int) *org.OrgRecord {
	rng := g.rng
	r := &org.OrgRecord{ID: fmt.Sprint("o", i)}
	since := g.date()
	for n := 1 + rng.IntN(2); n > 0; n-- {
		v := org.Version{Span: org.Span{Since: since, Until: org.Forever}, Name: r.ID, Kind: org.Kind(rng.IntN(org.NumKinds)), Sector: org.Sector(rng.IntN(org.NumSectors))}
		if i > 0 && rng.IntN(5) > 0 {
			v.ParentID = fmt.Sprint("o", rng.IntN(i)) // below in number: no cycle
		}
		if rng.IntN(2) == 0 {
			v.Until = since.AddDays(1 + rng.IntN(30))
		}
		r.Versions = append(r.Versions, v)
		if v.Until == org.Forever {
			break
		}
		since = v.Until + org.Date(rng.IntN(2)) // sometimes a gap
	}
	return r
}

func (g countWorld) newMember(id string, orgs int) *org.MemberRecord {
	rng := g.rng
	r := &org.MemberRecord{ID: id}
	if rng.IntN(2) == 0 {
		on := g.date()
		r.OfficialOn = &on
	}
	since := g.date()
	for n := 1 + rng.IntN(2); n > 0; n-- {
		s := org.Stint{Span: org.Span{Since: since, Until: org.Forever}, CellID: fmt.Sprint("o", rng.IntN(orgs)), Temporary: rng.IntN(6) == 0}
		if rng.IntN(2) == 0 {
			s.Until = since.AddDays(1 + rng.IntN(30))
		}
		r.Stints = append(r.Stints, s)
		if s.Until == org.Forever {
			break
		}
		since = s.Until
	}
	return r
}

// appearsOccupied reports whether an organisation that exists on at after a
// write, not before, has then a child or a member the write left alone.
func appearsOccupied(at org.Date, before, after map[string]*org.OrgRecord, members, afterMembers map[string]*org.MemberRecord) bool {
	appeared := map[string]bool{}
	for id, r := range after {
		if _, ok := r.At(at); ok && stateOn(before[id], at) == (countState{}) {
			appeared[id] = true
		}
	}
	for id, r := range after {
		if v, ok := r.At(at); ok && before[id] == r && appeared[v.ParentID] {
			return true
		}
	}
	for id, m := range afterMembers {
		if members[id] == m && appeared[m.CellOn(at)] {
			return true
		}
	}
	return false
}

// recountAll counts every organisation from scratch on date at; one that does
// not exist then counts nothing.
func recountAll(at org.Date, orgs map[string]*org.OrgRecord, members map[string]*org.MemberRecord) map[string]org.Counts {
	tree := New(at)
	for _, r := range orgs {
		if o, ok := r.OrgAt(at); ok {
			tree.Set(o)
		}
	}
	direct := map[string][2]int32{}
	for _, m := range members {
		if cell := m.CellOn(at); cell != "" {
			d := direct[cell]
			if m.OfficialOn != nil && *m.OfficialOn <= at {
				d[0]++
			} else {
				d[1]++
			}
			direct[cell] = d
		}
	}
	for id, d := range direct {
		tree.SetDirect(id, d[0], d[1])
	}
	if err := tree.Recount(); err != nil {
		panic(err)
	}
	out := map[string]org.Counts{}
	for id := range orgs {
		o, _ := tree.Get(id)
		out[id] = o.Counts
	}
	return out
}

func clone[R any](m map[string]*R) map[string]*R {
	out := make(map[string]*R, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestCountHistoriesMatchRecounts counts random datasets on every date at once
// (CountChangesOf), writes random records into them, adds the changes
// WriteCountChanges derives, and checks the histories on every day against a
// recount from scratch on that day.
func TestCountHistoriesMatchRecounts(t *testing.T) {
	g := countWorld{rng: rand.New(rand.NewPCG(testseed.Seed(t, 16), 1))}
	days := func(check func(d org.Date)) {
		for d := org.DateFrom(2020, 1, 1).AddDays(-1); d < org.DateFrom(2020, 1, 1).AddDays(95); d++ {
			check(d)
		}
		check(org.Forever - 1)
	}
	matches := func(what string, hist map[string]CountHistory, orgs map[string]*org.OrgRecord, members map[string]*org.MemberRecord) {
		t.Helper()
		days(func(d org.Date) {
			want := recountAll(d, orgs, members)
			for id := range orgs {
				if got := hist[id].On(d); got != want[id] {
					t.Fatalf("%s: %s on %s: %+v, recounted %+v", what, id, d, got, want[id])
				}
			}
		})
	}
	written := 0
	for round := range 150 {
		n := 3 + g.rng.IntN(10)
		orgs := map[string]*org.OrgRecord{}
		for i := range n {
			orgs[fmt.Sprint("o", i)] = g.newOrg(i)
		}
		members := map[string]*org.MemberRecord{}
		for i := range g.rng.IntN(20) {
			id := fmt.Sprint("m", i)
			members[id] = g.newMember(id, n)
		}
		hist, err := CountChangesOf(slices.Collect(maps.Values(orgs)), slices.Collect(maps.Values(members)))
		if err != nil {
			t.Fatal(err)
		}
		matches(fmt.Sprint("round ", round, ", the dataset"), hist, orgs, members)

		var orgPuts []RecordPut[org.OrgRecord]
		var memberPuts []RecordPut[org.MemberRecord]
		afterOrgs, afterMembers := clone(orgs), clone(members)
		for i := range n + 2 {
			if g.rng.IntN(5) == 0 {
				id := fmt.Sprint("o", i)
				r := g.newOrg(i)
				if orgs[id] != nil && g.rng.IntN(3) == 0 {
					renamed := orgs[id].Clone() // its counts do not move
					renamed.Versions[0].Name += " mới"
					r = &renamed
				}
				orgPuts = append(orgPuts, RecordPut[org.OrgRecord]{Before: orgs[id], After: r})
				afterOrgs[id] = r
			}
		}
		for i := range len(members) + 2 {
			if g.rng.IntN(3) == 0 {
				id := fmt.Sprint("m", i)
				r := g.newMember(id, n+2)
				memberPuts = append(memberPuts, RecordPut[org.MemberRecord]{Before: members[id], After: r})
				afterMembers[id] = r
			}
		}
		occupied := false
		days(func(d org.Date) { occupied = occupied || appearsOccupied(d, orgs, afterOrgs, members, afterMembers) })
		if occupied {
			continue // the domain creates and revives organisations empty
		}
		changes, err := WriteCountChanges(orgPuts, memberPuts, func(id string) (*org.OrgRecord, CountHistory, bool) {
			return orgs[id], hist[id], true
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for id, list := range changes {
			h := hist[id]
			for _, c := range list {
				h.Open.Add(c.Counts, 1)
				i, found := slices.BinarySearchFunc(h.Changes, c.On, func(x DatedCounts, d org.Date) int { return cmp.Compare(x.On, d) })
				if found {
					h.Changes[i].Counts.Add(c.Counts, 1)
				} else {
					h.Changes = slices.Insert(h.Changes, i, c)
				}
			}
			hist[id] = h
		}
		matches(fmt.Sprint("round ", round, ", after the write"), hist, afterOrgs, afterMembers)
		written++
	}
	if written < 30 {
		t.Fatalf("%d writes checked of 150: the generator makes too few the domain could", written)
	}
	t.Logf("%d writes checked of 150", written)
}
