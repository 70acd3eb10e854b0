package memory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// TestFindMatchesBruteForce: the phased search, with its early stops and
// skipped groups, returns exactly the k best names that scoring every name
// would, in order and with their scores, on generated names and queries,
// within generated scopes and filters, with renamed (dead) entries, for
// pages up to the last a cursor reaches; a third of the rounds draw names from
// so few words that hundreds of members share each, who tie at the k-th hit.
func TestFindMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 3), 4))
	pick := func(words []string) string { return words[rng.IntN(len(words))] }
	places := []string{"Tân An", "An Lạc", "Văn Lang", "Lan Anh", "Hòa An", "Thanh Hóa"}
	kinds := []string{"Đảng bộ xã", "Chi bộ thôn", "Đảng bộ phường", "Chi bộ Trường Tiểu học", "Chi bộ", "Đảng bộ tỉnh"}
	var families, middles, givens []string
	person := func() string {
		name := pick(families)
		for range rng.IntN(3) {
			name += " " + pick(middles)
		}
		return name + " " + pick(givens)
	}
	for round := range 30 {
		families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Ngô", "An"}
		middles = []string{"Văn", "Thị", "Vân", "Đức", "Thanh", "Hữu"}
		givens = []string{"An", "Anh", "Ân", "Tân", "Toàn", "Lan", "Hoa", "Hòa", "Ngân", "Văn", "Thanh Hoa", "Ánh Tuyết"}
		if round%3 == 2 { // crowded: hundreds of namesakes, who tie at the k-th hit
			families, middles, givens = families[:2], middles[:1], []string{"Anh", "Ánh", "Ân", "Tân"}
		}
		x := newIndex()
		var members []*memberEntry
		for i := range 500 + rng.IntN(3000) {
			m := &memberEntry{rec: org.MemberRecord{ID: fmt.Sprintf("m%04d", i)}}
			m.rec.FullName = person()
			m.key = org.Fold(m.rec.FullName)
			x.putMember(nil, m)
			members = append(members, m)
		}
		for range rng.IntN(1500) { // renames: dead entries, and compaction past a quarter
			i := rng.IntN(len(members))
			renamed := &memberEntry{rec: members[i].rec}
			renamed.rec.FullName = person()
			renamed.key = org.Fold(renamed.rec.FullName)
			compacted := x.putMember(members[i], renamed)
			members[i] = renamed
			if compacted { // the entries are copies now, as graph.rebind finds them
				byID := map[string]*memberEntry{}
				for _, e := range x.entries {
					if e.member != nil {
						byID[e.member.rec.ID] = e.member
					}
				}
				for j, m := range members {
					members[j] = byID[m.rec.ID]
				}
			}
		}
		for i := range 50 + rng.IntN(200) {
			r := &org.OrgRecord{ID: fmt.Sprintf("o%03d", i)}
			for v := range 1 + rng.IntN(2) {
				r.Versions = append(r.Versions, org.Version{Span: org.Span{Since: org.Date(v * 10), Until: org.Date(v*10 + 10)},
					Name: pick(kinds) + " " + pick(places)})
			}
			x.putOrg(r)
		}
		var scope entrySet
		if rng.IntN(3) == 0 {
			scope = make(entrySet, (len(x.entries)+63)/64)
			for n := range x.entries {
				if rng.IntN(3) == 0 {
					scope[n>>6] |= 1 << (n & 63)
				}
			}
		}
		drop := rng.IntN(4) // keep drops the names whose id's last digit is below it
		keep := func(e *searchEntry) bool { id := e.id(); return int(id[len(id)-1]-'0') >= drop }
		for range 40 {
			text := query(rng, x)
			m, err := org.NewMatcher(text)
			if err != nil {
				continue
			}
			k := []int{1, 2, 5, 20, 100, 1001}[rng.IntN(6)]
			var all []hit
			for i := range x.entries {
				e := &x.entries[i]
				if s, ok := m.Score(e.key, e.member == nil); ok && !x.isDead(int32(i)) && scope.has(int32(i)) && keep(e) {
					all = append(all, hit{s, e})
				}
			}
			slices.SortFunc(all, betterHit)
			all = all[:min(k, len(all))]
			got := x.find(m, k, scope, keep)
			if len(got) != len(all) {
				t.Fatalf("round %d, %q k=%d: %d hits, brute force %d", round, text, k, len(got), len(all))
			}
			for i := range got {
				if got[i].e != all[i].e || got[i].score != all[i].score {
					t.Fatalf("round %d, %q k=%d: hit %d is %s %q (%v), brute force %s %q (%v)", round, text, k, i,
						got[i].e.id(), got[i].e.key, got[i].score, all[i].e.id(), all[i].e.key, all[i].score)
				}
			}
		}
	}
}

// query is a search text as users type them about the names of x: a whole
// name, some of its words in any order, the starts or insides of words, with
// or without diacritics.
func query(rng *rand.Rand, x *index) string {
	e := x.entries[rng.IntN(len(x.entries))]
	words := strings.Fields(e.key)
	rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	switch rng.IntN(5) {
	case 0:
		return e.key
	case 1:
		return strings.Join(words[:1+rng.IntN(len(words))], " ")
	case 2: // starts of words
		for i, w := range words {
			words[i] = w[:1+rng.IntN(len(w))]
		}
		return strings.Join(words[:1+rng.IntN(len(words))], " ")
	case 3: // insides of words
		w := words[0]
		from := rng.IntN(len(w))
		return w[from : from+1+rng.IntN(len(w)-from)]
	}
	return []string{"nguyễn văn an", "Văn An", "thanh hoa", "an an", "xyz", "v", "tan an", "nga"}[rng.IntN(8)]
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
