package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"dangbo/internal/org"
)

// index finds names by the words they contain. Every distinct folded word is
// a vocabulary entry with the list of names that contain it; a query word
// matches every vocabulary word it is a substring of, so the vocabulary (a few
// thousand words) is scanned instead of the 100,000 names.
type index struct {
	entries  []searchEntry
	byID     map[string][]int32
	vocab    []string
	wordID   map[string]int32
	postings [][]int32 // by word id: entries containing the word, ascending
	dead     int
}

// searchEntry is one name of one organisation or member.
type searchEntry struct {
	id     string
	key    string
	words  []int32
	span   org.Span // when an organisation bore this name
	member *memberEntry
	dead   bool
}

func newIndex() *index {
	return &index{byID: map[string][]int32{}, wordID: map[string]int32{}}
}

func (x *index) putOrg(r *org.OrgRecord) {
	x.remove(r.ID)
	for i := 0; i < len(r.Versions); {
		// Consecutive versions with the same name (a transfer, a change of
		// kind) are one name.
		v := r.Versions[i]
		span := v.Span
		for i++; i < len(r.Versions) && r.Versions[i].Name == v.Name && r.Versions[i].Since == span.Until; i++ {
			span.Until = r.Versions[i].Until
		}
		x.add(searchEntry{id: r.ID, key: org.Fold(v.Name), span: span})
	}
}

func (x *index) putMember(m *memberEntry) {
	if ids := x.byID[m.rec.ID]; len(ids) == 1 && x.entries[ids[0]].key == m.key {
		x.entries[ids[0]].member = m
		return
	}
	x.remove(m.rec.ID)
	x.add(searchEntry{id: m.rec.ID, key: m.key, member: m})
}

func (x *index) add(e searchEntry) {
	n := int32(len(x.entries))
	for _, w := range strings.Fields(e.key) {
		id, ok := x.wordID[w]
		if !ok {
			id = int32(len(x.vocab))
			x.wordID[w] = id
			x.vocab = append(x.vocab, w)
			x.postings = append(x.postings, nil)
		}
		if !slices.Contains(e.words, id) {
			e.words = append(e.words, id)
			x.postings[id] = append(x.postings[id], n)
		}
	}
	x.entries = append(x.entries, e)
	x.byID[e.id] = append(x.byID[e.id], n)
}

func (x *index) remove(id string) {
	for _, n := range x.byID[id] {
		x.entries[n].dead = true
		x.dead++
	}
	delete(x.byID, id)
	if x.dead > 1024 && x.dead > len(x.entries)/4 {
		x.compact()
	}
}

// compact rebuilds the index without its dead entries.
func (x *index) compact() {
	live := x.entries
	*x = *newIndex()
	for _, e := range live {
		if !e.dead {
			e.words = nil
			x.add(e)
		}
	}
}

// hit is a scored candidate.
type hit struct {
	score float64
	e     *searchEntry
}

func betterHit(a, b hit) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.e.key, b.e.key); c != 0 {
		return c
	}
	return cmp.Compare(a.e.id, b.e.id)
}

// Search returns the best matches of q on the view's date.
func (s *Store) Search(_ context.Context, v org.View, q org.SearchQuery) ([]org.Hit, error) {
	m, err := org.NewMatcher(q.Text)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.tree(v.At)
	if err != nil {
		return nil, err
	}
	if q.Within != "" && !t.Has(q.Within) {
		return nil, errOrgNotFound(q.Within)
	}
	top := s.g.search.find(m, q.First, func(e *searchEntry) bool { return s.g.visible(t, e, &q) })
	hits := make([]org.Hit, len(top))
	for i, h := range top {
		hits[i].Score = h.score
		if h.e.member == nil {
			o, _ := t.Get(h.e.id)
			hits[i].Org, hits[i].Path = &o, t.Path(o.ID)
		} else {
			mb, _ := h.e.member.rec.MemberAt(t.At())
			hits[i].Member, hits[i].Path = &mb, t.Path(mb.CellID)
		}
	}
	return hits, nil
}

// visible reports whether an entry is a result of q on the tree's date: the
// right type, in force then, and inside q.Within.
func (g *graph) visible(t *org.Tree, e *searchEntry, q *org.SearchQuery) bool {
	orgID := e.id
	if e.member == nil {
		if !q.Wants(org.SearchOrgs) || !e.span.Holds(t.At()) || !t.Has(e.id) {
			return false
		}
	} else {
		if !q.Wants(org.SearchMembers) {
			return false
		}
		if orgID = e.member.rec.CellOn(t.At()); orgID == "" || !t.Has(orgID) {
			return false
		}
	}
	return q.Within == "" || t.Within(orgID, q.Within)
}

// find returns the k best live entries that match every word of m and pass
// keep, best first.
func (x *index) find(m *org.Matcher, k int, keep func(*searchEntry) bool) []hit {
	words := m.Tokens()
	matched := make([]map[int32]struct{}, len(words))
	driver, driverSize := 0, -1
	for i, w := range words {
		matched[i] = map[int32]struct{}{}
		size := 0
		for id, v := range x.vocab {
			if strings.Contains(v, w) {
				matched[i][int32(id)] = struct{}{}
				size += len(x.postings[id])
			}
		}
		if driverSize < 0 || size < driverSize {
			driver, driverSize = i, size
		}
	}
	var top []hit
	for wid := range matched[driver] {
		for _, n := range x.postings[wid] {
			e := &x.entries[n]
			if e.dead || firstMatching(e.words, matched[driver]) != wid || !hasAll(e.words, matched) {
				continue
			}
			score, ok := m.Score(e.key, e.member == nil)
			if !ok {
				continue
			}
			h := hit{score, e}
			if len(top) == k && betterHit(h, top[k-1]) >= 0 {
				continue
			}
			if !keep(e) {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, h, betterHit)
			top = slices.Insert(top, i, h)
			if len(top) > k {
				top = top[:k]
			}
		}
	}
	return top
}

// firstMatching is the first of an entry's words in set: the posting list an
// entry is taken from, so that an entry with two matching words is seen once.
func firstMatching(words []int32, set map[int32]struct{}) int32 {
	for _, w := range words {
		if _, ok := set[w]; ok {
			return w
		}
	}
	return -1
}

// hasAll reports whether every query word matches some word of the entry.
func hasAll(words []int32, matched []map[int32]struct{}) bool {
	for _, set := range matched {
		if firstMatching(words, set) < 0 {
			return false
		}
	}
	return true
}
