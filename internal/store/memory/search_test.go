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
// within generated scopes and filters, with renamed (dead) entries.
func TestFindMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 3), 4))
	pick := func(words []string) string { return words[rng.IntN(len(words))] }
	families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Ngô", "An"}
	middles := []string{"Văn", "Thị", "Vân", "Đức", "Thanh", "Hữu"}
	givens := []string{"An", "Anh", "Ân", "Tân", "Toàn", "Lan", "Hoa", "Hòa", "Ngân", "Văn", "Thanh Hoa", "Ánh Tuyết"}
	places := []string{"Tân An", "An Lạc", "Văn Lang", "Lan Anh", "Hòa An", "Thanh Hóa"}
	kinds := []string{"Đảng bộ xã", "Chi bộ thôn", "Đảng bộ phường", "Chi bộ Trường Tiểu học", "Chi bộ", "Đảng bộ tỉnh"}
	person := func() string {
		name := pick(families)
		for range rng.IntN(3) {
			name += " " + pick(middles)
		}
		return name + " " + pick(givens)
	}
	for round := range 20 {
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
			x.putMember(members[i], renamed)
			members[i] = renamed
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
		keep := func(e *searchEntry) bool { return int(e.id[len(e.id)-1]-'0') >= drop }
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
						got[i].e.id, got[i].e.key, got[i].score, all[i].e.id, all[i].e.key, all[i].score)
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

// TestCompactionKeepsMemberEntries: after renames compact the index, every
// member still knows its own entry, which scoped searches rely on.
func TestCompactionKeepsMemberEntries(t *testing.T) {
	x := newIndex()
	var ms []*memberEntry
	for i := range 3000 {
		name := fmt.Sprintf("Nguyễn Văn %d", i)
		m := &memberEntry{rec: org.MemberRecord{ID: fmt.Sprintf("m%d", i), FullName: name}, key: org.Fold(name)}
		ms = append(ms, m)
		x.putMember(nil, m)
	}
	for i, m := range ms {
		renamed := &memberEntry{rec: m.rec, key: org.Fold("Trần Thị " + m.rec.ID)}
		x.putMember(m, renamed)
		ms[i] = renamed
	}
	if len(x.entries) >= 6000 {
		t.Fatalf("no compaction: %d entries, %d dead", len(x.entries), x.deadN)
	}
	for _, m := range ms {
		if e := x.entries[m.entry]; e.member != m || e.key != m.key {
			t.Fatalf("member %s points to entry %d of %q", m.rec.ID, m.entry, e.id)
		}
	}
}
