package memory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"dangbo/internal/org"
)

// TestFindMatchesBruteForce: the phased search, with its early stops, returns
// exactly the k best names that scoring every name would.
func TestFindMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Ngô"}
	middles := []string{"Văn", "Thị", "Vân", "Đức", "Thanh"}
	givens := []string{"An", "Anh", "Ân", "Tân", "Toàn", "Lan", "Hoa", "Hòa", "Ngân", "Văn"}
	places := []string{"Đảng bộ xã Tân An", "Chi bộ thôn An Lạc", "Đảng bộ phường Văn Lang", "Chi bộ Trường Tiểu học Lan Anh"}
	x := newIndex()
	for i := range 3000 {
		name := families[rng.IntN(len(families))] + " " + middles[rng.IntN(len(middles))] + " " + givens[rng.IntN(len(givens))]
		m := &memberEntry{rec: org.MemberRecord{ID: fmt.Sprintf("m%04d", i), FullName: name}, key: org.Fold(name)}
		x.putMember(nil, m)
	}
	for i, p := range places {
		x.putOrg(&org.OrgRecord{ID: fmt.Sprintf("o%d", i), Versions: []org.Version{{Span: org.Span{Since: 1, Until: org.Forever}, Name: p}}})
	}
	keepAll := func(*searchEntry) bool { return true }
	for _, text := range []string{"nguyen van an", "van an", "an", "tan an", "le thi hoa", "an nguyen", "nga", "lan anh", "v", "xyz"} {
		m, err := org.NewMatcher(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 5, 20, 100} {
			var all []hit
			for i := range x.entries {
				e := &x.entries[i]
				if s, ok := m.Score(e.key, e.member == nil); ok && !x.isDead(int32(i)) {
					all = append(all, hit{s, e})
				}
			}
			slices.SortFunc(all, betterHit)
			all = all[:min(k, len(all))]
			got := x.find(m, k, nil, keepAll)
			if len(got) != len(all) {
				t.Fatalf("%q k=%d: %d hits, brute force %d", text, k, len(got), len(all))
			}
			for i := range got {
				if got[i].e.id() != all[i].e.id() || got[i].score != all[i].score {
					t.Fatalf("%q k=%d: hit %d is %s (%.3f), brute force %s (%.3f)", text, k, i,
						got[i].e.key, got[i].score, all[i].e.key, all[i].score)
				}
			}
		}
	}
}

// TestCompactionKeepsMemberEntries: after renames on one side compact its
// index, every member of that side still knows its own entry, which scoped
// searches rely on, and its lists hold that side's entries; the other side,
// which shared the entries, still sees each member at its old entry.
func TestCompactionKeepsMemberEntries(t *testing.T) {
	g := newGraph()
	for _, id := range []string{"c1", "c2"} {
		g.putOrg(org.OrgRecord{ID: id, Versions: []org.Version{{Span: org.Span{Since: 1, Until: org.Forever}, Name: "Chi bộ " + id, Kind: org.Cell}}})
	}
	var rs []*org.MemberRecord
	for i := range 3000 {
		rs = append(rs, &org.MemberRecord{ID: fmt.Sprintf("m%d", i), FullName: fmt.Sprintf("Nguyễn Văn %d", i),
			Stints: []org.Stint{{Span: org.Span{Since: 1, Until: org.Forever}, CellID: []string{"c1", "c2"}[i%2]}}})
	}
	g.loadMembers(rs)
	c := g.clone()
	before := map[string]int32{}
	for id, m := range g.members {
		before[id] = m.entry
	}
	for _, r := range rs {
		renamed := *r
		renamed.FullName = "Trần Thị " + r.ID
		c.putMember(renamed)
	}
	if len(c.search.entries) >= 6000 {
		t.Fatalf("no compaction: %d entries, %d dead", len(c.search.entries), c.search.deadN)
	}
	for name, x := range map[string]*graph{"written": c, "other": g} {
		for id, m := range x.members {
			if e := x.search.entries[m.entry]; e.member != m || e.key != m.key || e.id() != id {
				t.Fatalf("%s side: member %s points to entry %d of %q", name, id, m.entry, e.id())
			}
		}
		for _, e := range x.orgs {
			for _, m := range e.stints {
				if x.members[m.rec.ID] != m {
					t.Fatalf("%s side: %s lists an entry of member %s that is not the side's", name, e.rec.ID, m.rec.ID)
				}
			}
		}
	}
	for id, m := range g.members {
		if m.entry != before[id] || m.rec.FullName == "Trần Thị "+id {
			t.Fatalf("the other side's member %s changed: entry %d, was %d; name %q", id, m.entry, before[id], m.rec.FullName)
		}
	}
}
