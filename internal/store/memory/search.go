package memory

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"sync"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// index finds names by the words they contain. Every distinct folded word is
// a vocabulary entry with the list of names that contain it; a query word
// matches every vocabulary word it is a substring of, so the vocabulary (a few
// hundred words in the demo) is scanned instead of the 100,000 names.
//
// A search visits thousands of candidates and keeps a few, so what a visit
// reads is kept compact and apart from the entries: each posting carries its
// entry's signature, read in order with the list, and the word ids of every
// entry are in one pool, which entries are dead in a bitset.
type index struct {
	entries  []searchEntry
	orgNames map[string][]int32 // the entries of each organisation; a member's is memberEntry.entry
	// namesakes are the entries of the members of each name, by id: the
	// ranked order of those who bear a searched name exactly, so that a
	// search reads the few it keeps of the thousands of "Nguyễn Văn An".
	namesakes map[string][]int32
	vocab     []string
	wordID    map[string]int32
	sorted    []int32       // word ids in the order of their words: a prefix's words are a run
	postings  []postingList // by word id: entries containing the word
	pool      []int32       // the word ids of entry n are pool[start[n]:start[n+1]]
	start     []int32
	dead      []uint64 // bit n: entry n was replaced or removed
	deadN     int
}

// posting is an entry that holds a word. Its signature has bit w%64 set for
// each word w of the entry: one load, next to the last, tells that an entry
// lacks a word before its words are read from the pool. The signature is in
// two halves so that a posting takes 12 bytes, not 16 with padding: there are
// several per member, in each side of the store.
type posting struct {
	sigLo, sigHi uint32
	entry        int32
}

func newPosting(sig uint64, entry int32) posting {
	return posting{sigLo: uint32(sig), sigHi: uint32(sig >> 32), entry: entry}
}

func (p posting) sig() uint64 { return uint64(p.sigHi)<<32 | uint64(p.sigLo) }

// postingList is the entries that hold one word, grouped so that a search
// can bound what a whole group scores before reading it: organisations' names
// apart, members' by the length of their key, which caps their coverage bonus.
// A search reads the groups likely to hold its best hits first and skips the
// rest once it holds enough better hits, so that a word that hundreds of
// thousands of members share costs the groups read, not all its holders.
type postingList struct {
	orgs    []posting
	members []lengthGroup // ascending by length
}

// lengthGroup is the postings of the members whose key is n bytes long.
type lengthGroup struct {
	n     int32
	posts []posting
}

func (l *postingList) add(p posting, member bool, n int32) {
	if !member {
		l.orgs = append(l.orgs, p)
		return
	}
	i, found := slices.BinarySearchFunc(l.members, n, func(g lengthGroup, n int32) int { return cmp.Compare(g.n, n) })
	if !found {
		l.members = slices.Insert(l.members, i, lengthGroup{n: n})
	}
	l.members[i].posts = append(l.members[i].posts, p)
}

// group is the postings of group g: organisations when g is orgGroup, else
// members whose key is g bytes long.
func (l *postingList) group(g int32) []posting {
	if g == orgGroup {
		return l.orgs
	}
	i, found := slices.BinarySearchFunc(l.members, g, func(lg lengthGroup, n int32) int { return cmp.Compare(lg.n, n) })
	if !found {
		return nil
	}
	return l.members[i].posts
}

const orgGroup = -1

// searchEntry is one name of one organisation or member.
type searchEntry struct {
	key    string
	member *memberEntry
	org    *orgName // nil for a member
}

// orgName is what an organisation's entry adds to its name.
type orgName struct {
	id   string
	span org.Span // when the organisation bore this name
}

// id is the organisation's or the member's.
func (e *searchEntry) id() string {
	if e.member != nil {
		return e.member.rec.ID
	}
	return e.org.id
}

func newIndex() *index {
	return &index{orgNames: map[string][]int32{}, namesakes: map[string][]int32{}, wordID: map[string]int32{}, start: []int32{0}}
}

// words are the vocabulary ids of entry n's words.
func (x *index) words(n int32) []int32 { return x.pool[x.start[n]:x.start[n+1]] }

func (x *index) isDead(n int32) bool { return x.dead[n>>6]&(1<<(n&63)) != 0 }

// putOrg indexes organisation r's names; it reports whether it compacted
// the index, like putMember.
func (x *index) putOrg(r *org.OrgRecord) (compacted bool) {
	for _, n := range x.orgNames[r.ID] {
		x.kill(n)
	}
	delete(x.orgNames, r.ID)
	compacted = x.compactIfDead()
	for i := 0; i < len(r.Versions); {
		// Consecutive versions with the same name (a transfer, a change of
		// kind) are one name.
		v := r.Versions[i]
		span := v.Span
		for i++; i < len(r.Versions) && r.Versions[i].Name == v.Name && r.Versions[i].Since == span.Until; i++ {
			span.Until = r.Versions[i].Until
		}
		x.add(searchEntry{key: org.Fold(v.Name), org: &orgName{id: r.ID, span: span}})
	}
	return compacted
}

// putMember indexes member m, which replaces old (nil for a new member). It
// reports whether it compacted the index, replacing member entries (rebind).
func (x *index) putMember(old, m *memberEntry) (compacted bool) {
	if old != nil && old.key == m.key {
		x.entries[old.entry].member, m.entry = m, old.entry
		return false
	}
	if old != nil {
		x.kill(old.entry)
		compacted = x.compactIfDead()
	}
	m.entry = x.add(searchEntry{key: m.key, member: m})
	return compacted
}

// grow makes room for n more names, for a load or an import to add without
// copying the index's arrays as they fill.
func (x *index) grow(n int) {
	x.entries = slices.Grow(x.entries, n)
	x.start = slices.Grow(x.start, n)
	x.pool = slices.Grow(x.pool, 3*n) // names of three words or so
}

// add indexes a name and returns its entry.
func (x *index) add(e searchEntry) int32 {
	n := int32(len(x.entries))
	from := len(x.pool)
	for w := range strings.FieldsSeq(e.key) {
		id, ok := x.wordID[w]
		if !ok {
			id = int32(len(x.vocab))
			x.wordID[w] = id
			x.vocab = append(x.vocab, w)
			x.postings = append(x.postings, postingList{})
			i, _ := slices.BinarySearchFunc(x.sorted, w, x.compareWord)
			x.sorted = slices.Insert(x.sorted, i, id)
		}
		if !slices.Contains(x.pool[from:], id) {
			x.pool = append(x.pool, id)
		}
	}
	sig := signature(x.pool[from:])
	for _, id := range x.pool[from:] {
		x.postings[id].add(newPosting(sig, n), e.member != nil, int32(len(e.key)))
	}
	x.start = append(x.start, int32(len(x.pool)))
	x.entries = append(x.entries, e)
	if int(n>>6) == len(x.dead) {
		x.dead = append(x.dead, 0)
	}
	if e.member == nil {
		x.orgNames[e.org.id] = append(x.orgNames[e.org.id], n)
	} else {
		ns, id := x.namesakes[e.key], e.id()
		// Imports and loads bring members by id: the last one answers.
		i := len(ns)
		if i > 0 && x.entries[ns[i-1]].id() > id {
			i, _ = slices.BinarySearchFunc(ns, id, func(n int32, id string) int { return strings.Compare(x.entries[n].id(), id) })
		}
		x.namesakes[e.key] = slices.Insert(ns, i, n)
	}
	return n
}

func (x *index) kill(n int32) {
	x.dead[n>>6] |= 1 << (n & 63)
	x.deadN++
}

// compactIfDead compacts the index once a quarter of it is dead, and reports
// whether it did.
func (x *index) compactIfDead() bool {
	if x.deadN > 1024 && x.deadN > len(x.entries)/4 {
		x.compact()
		return true
	}
	return false
}

// compact rebuilds the index without its dead entries. A member's entry gets
// a new number, so it is replaced by a copy that has it: the other side of
// the store shares the old one and reads its number meanwhile.
func (x *index) compact() {
	old := *x
	*x = *newIndex()
	for n, e := range old.entries {
		if !old.isDead(int32(n)) {
			if e.member != nil {
				m := *e.member
				e.member = &m
			}
			if k := x.add(e); e.member != nil {
				e.member.entry = k
			}
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
	return cmp.Compare(a.e.id(), b.e.id())
}

// Search returns the best matches of q on the view's date.
func (s *Store) Search(ctx context.Context, v org.View, q org.SearchQuery) ([]org.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // past the deadline: aliases of one query may ask for many searches
	}
	m, err := org.NewMatcher(q.Text)
	if err != nil {
		return nil, err
	}
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return nil, err
	}
	for _, id := range q.Within {
		if !t.Has(id) {
			return nil, errOrgNotFound(id)
		}
	}
	top := sd.g.search.find(m, q.First, sd.g.scopeEntries(t, q.Within), func(e *searchEntry) bool { return sd.g.visible(t, e, &q) })
	hits := make([]org.Hit, len(top))
	for i, h := range top {
		hits[i].Score = h.score
		if h.e.member == nil {
			o, _ := t.Get(h.e.org.id)
			hits[i].Org, hits[i].Path = &o, t.Path(o.ID)
		} else {
			mb, _ := h.e.member.rec.MemberAt(t.At())
			hits[i].Member, hits[i].Path = &mb, t.Path(mb.CellID)
		}
	}
	return hits, nil
}

// scopeLimit is the size of subtree, in members, up to which a search marks the
// entries inside it before looking at candidates. In a larger one most
// candidates lie inside anyway, and the search stops early without it.
const scopeLimit = 20_000

// scopeEntries marks the index entries that may lie in the subtrees of roots
// on the tree's date: the names of their organisations, and the members who
// ever had a stint in their cells. It is a superset, cheap to test for every
// candidate; visible then checks the few that pass. Nil when there are no
// roots, or too many members below them.
func (g *graph) scopeEntries(t *tree.Tree, roots []string) entrySet {
	if len(roots) == 0 {
		return nil
	}
	members := 0
	for _, id := range roots {
		o, _ := t.Get(id)
		members += int(o.Counts.Members())
	}
	if members > scopeLimit {
		return nil
	}
	x := g.search
	set := make(entrySet, (len(x.entries)+63)/64)
	for _, root := range roots {
		_ = t.Walk(root, -1, func(o *org.Org, _ int) bool {
			set.addAll(x.orgNames[o.ID])
			if e := g.orgs[o.ID]; e != nil {
				for _, m := range e.stints {
					set[m.entry>>6] |= 1 << (m.entry & 63)
				}
			}
			return true
		})
	}
	return set
}

// entrySet is a set of index entries, one bit each.
type entrySet []uint64

func (s entrySet) has(n int32) bool { return s == nil || s[n>>6]&(1<<(n&63)) != 0 }

func (s entrySet) addAll(ns []int32) {
	for _, n := range ns {
		s[n>>6] |= 1 << (n & 63)
	}
}

// visible reports whether an entry is a result of q on the tree's date: the
// right type, in force then, and inside q.Within.
func (g *graph) visible(t *tree.Tree, e *searchEntry, q *org.SearchQuery) bool {
	var orgID string
	if e.member == nil {
		if orgID = e.org.id; !q.Wants(org.SearchOrgs) || !e.org.span.Holds(t.At()) || !t.Has(orgID) {
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
	return len(q.Within) == 0 || t.WithinAny(orgID, q.Within)
}

// signature folds word ids into 64 bits, one per id modulo 64.
func signature(words []int32) uint64 {
	var sig uint64
	for _, w := range words {
		sig |= 1 << (w & 63)
	}
	return sig
}

// wordSet is a set of vocabulary words, one bit each.
type wordSet []uint64

func (s wordSet) has(w int32) bool { return s[w>>6]&(1<<(w&63)) != 0 }
func (s wordSet) add(w int32)      { s[w>>6] |= 1 << (w & 63) }

func (x *index) compareWord(id int32, w string) int { return strings.Compare(x.vocab[id], w) }

// matchKind is how a word of the query matches a word of a name.
type matchKind uint8

const (
	wholeWord matchKind = iota
	wordPrefix
	inWord
)

// matching calls f with every vocabulary word that tok matches in way k:
// looked up, a run of the sorted words, or a scan of them all.
func (x *index) matching(k matchKind, tok string, f func(id int32)) {
	switch k {
	case wholeWord:
		if id, ok := x.wordID[tok]; ok {
			f(id)
		}
	case wordPrefix:
		i, _ := slices.BinarySearchFunc(x.sorted, tok, x.compareWord)
		for _, id := range x.sorted[i:] {
			if !strings.HasPrefix(x.vocab[id], tok) {
				break
			}
			f(id)
		}
	default:
		for id, w := range x.vocab {
			if strings.Contains(w, tok) {
				f(int32(id))
			}
		}
	}
}

// A phase of a search looks at the names whose every word of the query
// matches one of their words in the phase's way; a later phase matches more
// loosely, and the names it could add score at most its ceiling.
var phases = []struct {
	match   matchKind
	loose   org.Looseness // of the names the phase adds
	ceiling float64
}{
	{wholeWord, org.WholeWords, org.WholeWordsCeiling},
	{wordPrefix, org.WordStarts, org.PrefixCeiling},
	{inWord, org.InsideWords, -1},
}

// find returns the k best live entries in scope (all when scope is nil) that
// match every word of m and pass keep, best first. It runs the phases in turn
// and stops as soon as it holds k hits above the ceiling of what the next
// phase could add. Within a phase it reads the groups of postings in turn
// (organisations, then members by the length of their names, shortest
// first), each from the token whose words hold the fewest postings of the
// group, and skips a group that cannot score above the k-th hit it holds: for
// a common name the whole words of its own length give the answer.
func (x *index) find(m *org.Matcher, k int, scope entrySet, keep func(*searchEntry) bool) []hit {
	tokens := m.Tokens()
	// A matching name has a distinct word at least as long as each token.
	minLen := len(tokens) - 1
	for _, tok := range tokens {
		minLen += len(tok)
	}
	var top []hit
	var earlier []wordSet  // the previous phase's sets: their names were considered
	ceiling := math.Inf(1) // of the scores of the names this phase adds
	for _, p := range phases {
		sets := make([]wordSet, len(tokens))
		words := make([][]int32, len(tokens)) // the ids in each set
		sigs := make([]uint64, len(tokens))   // of the words each token matches
		orgSizes := make([]int, len(tokens))
		sizes := make([][]int, len(tokens)) // [token][n]: postings of members with n-byte names
		for i, tok := range tokens {
			sets[i] = make(wordSet, (len(x.vocab)+63)/64)
			x.matching(p.match, tok, func(id int32) {
				sets[i].add(id)
				words[i] = append(words[i], id)
				sigs[i] |= 1 << (id & 63)
				l := &x.postings[id]
				orgSizes[i] += len(l.orgs)
				for _, g := range l.members {
					if int(g.n) >= len(sizes[i]) {
						sizes[i] = append(sizes[i], make([]int, int(g.n)+1-len(sizes[i]))...)
					}
					sizes[i][g.n] += len(g.posts)
				}
			})
		}
		// read considers the entries of group g that hold every token, whose
		// scores are at most bound.
		read := func(g int32, bound float64, size func(token int) int) {
			if len(top) == k && bound < top[k-1].score {
				return
			}
			driver := 0
			for i := range tokens {
				if size(i) == 0 {
					return
				}
				if size(i) < size(driver) {
					driver = i
				}
			}
			// added is whether entry n, of words ws, is one this phase adds.
			added := func(n int32, ws []int32) bool {
				return hasAll(ws, sets) && (earlier == nil || !hasAll(ws, earlier)) &&
					(earlier != nil || g != int32(len(m.Key())) || x.entries[n].key != m.Key()) // the exact namesakes are read above
			}
			var ties tieSet
			defer ties.release()
			var tied *searchEntry // the k-th hit last looked at for namesakes
			for _, wid := range words[driver] {
				for _, post := range x.postings[wid].group(g) {
					n := post.entry
					if !mayHaveAll(post.sig(), sigs) || !scope.has(n) || ties.has(n) {
						continue
					}
					ws := x.words(n)
					if firstMatching(ws, sets[driver]) != wid || x.isDead(n) || !added(n, ws) {
						continue
					}
					top = x.consider(top, m, &x.entries[n], bound, k, keep)
					if len(top) == k && top[k-1].e != tied && top[k-1].score == bound {
						// From here on the group can only tie the k-th hit:
						// if that is a member of this walk's list, its
						// namesakes are read apart.
						tied = top[k-1].e
						if t := tied.member; t != nil && int32(len(tied.key)) == g && !ties.has(t.entry) {
							if tws := x.words(t.entry); added(t.entry, tws) && firstMatching(tws, sets[driver]) == wid {
								top = x.tiesAhead(top, m, n, bound, scope, keep, &ties)
							}
						}
					}
				}
			}
		}
		read(orgGroup, ceiling, func(i int) int { return orgSizes[i] })
		if earlier == nil { // the members who bear the text exactly, ranked by id: those that can rank
			exact := hit{m.MaxScore(m.Key(), false), nil}
			for _, n := range x.namesakes[m.Key()] {
				if exact.e = &x.entries[n]; len(top) == k && betterHit(exact, top[k-1]) >= 0 {
					break
				}
				if !x.isDead(n) && scope.has(n) {
					top = x.consider(top, m, exact.e, exact.score, k, keep)
				}
			}
		}
		for n := minLen; ; n++ {
			if !slices.ContainsFunc(sizes, func(s []int) bool { return n < len(s) }) {
				break
			}
			read(int32(n), min(m.MaxMemberScore(n, p.loose), ceiling), func(i int) int {
				if n < len(sizes[i]) {
					return sizes[i][n]
				}
				return 0
			})
		}
		if len(top) == k && top[k-1].score > p.ceiling {
			break
		}
		earlier, ceiling = sets, p.ceiling
	}
	return top
}

// tiesAhead is for the walk of a group's postings once it can only tie the
// k-th hit, a member whose namesakes lie in the postings being walked, at
// entry after (in the order of entries, which is the order of every list of
// postings). Those namesakes are most of what is left of the group for a
// common name (tens of thousands of "Nguyễn Văn Anh" in the whole country),
// and only those ahead of the k-th hit in id can still enter: tiesAhead
// considers those it has not seen, read in id order from the index's list of
// namesakes, and marks them all in ties for the walk to pass over by one bit
// each, instead of reading the name and id of each, scattered in memory.
func (x *index) tiesAhead(top []hit, m *org.Matcher, after int32, bound float64, scope entrySet, keep func(*searchEntry) bool, ties *tieSet) []hit {
	k := len(top)
	ns := x.namesakes[top[k-1].e.key]
	for _, n := range ns {
		e := &x.entries[n]
		if betterHit(hit{bound, e}, top[k-1]) >= 0 {
			break
		}
		if n > after && !x.isDead(n) && scope.has(n) {
			top = x.consider(top, m, e, bound, k, keep)
		}
	}
	ties.add(ns, len(x.entries))
	return top
}

// tieSet is the entries a walk of postings passes over, one bit each. Its
// bits come from a pool and are cleared on release: a search that marks a few
// thousand namesakes does not allocate and clear a bit for each of the
// millions of entries.
type tieSet struct {
	bits   *entrySet
	marked [][]int32
}

var tieBits sync.Pool // of *entrySet, all bits clear

func (t *tieSet) has(n int32) bool { return t.bits != nil && (*t.bits)[n>>6]&(1<<(n&63)) != 0 }

// add marks entries ns of an index of size entries.
func (t *tieSet) add(ns []int32, size int) {
	if t.bits == nil {
		t.bits, _ = tieBits.Get().(*entrySet)
		if t.bits == nil || len(*t.bits) < (size+63)/64 {
			bits := make(entrySet, (size+63)/64)
			t.bits = &bits
		}
	}
	t.bits.addAll(ns)
	t.marked = append(t.marked, ns)
}

func (t *tieSet) release() {
	if t.bits == nil {
		return
	}
	for _, ns := range t.marked {
		for _, n := range ns {
			(*t.bits)[n>>6] = 0
		}
	}
	tieBits.Put(t.bits)
}

// consider scores an entry, known to score at most bound, and puts it into
// top if it ranks among the k best that pass keep; keep runs only for
// entries that would enter.
func (x *index) consider(top []hit, m *org.Matcher, e *searchEntry, bound float64, k int, keep func(*searchEntry) bool) []hit {
	if len(top) == k {
		// An entry that can at best tie the k-th hit enters only ahead of
		// it in name and id: of the thousands of members who bear a common
		// name, those after it are passed over unscored.
		last := top[k-1]
		if bound := min(bound, m.MaxScore(e.key, e.member == nil)); bound < last.score ||
			bound == last.score && betterHit(hit{bound, e}, last) >= 0 {
			return top
		}
	}
	score, ok := m.Score(e.key, e.member == nil)
	if !ok {
		return top
	}
	h := hit{score, e}
	if len(top) == k && betterHit(h, top[k-1]) >= 0 || !keep(e) {
		return top
	}
	i, _ := slices.BinarySearchFunc(top, h, betterHit)
	top = slices.Insert(top, i, h)
	return top[:min(len(top), k)]
}

// mayHaveAll reports whether an entry of signature sig may hold a word of each
// of sets, given their signatures; false means it surely does not.
func mayHaveAll(sig uint64, sets []uint64) bool {
	for _, s := range sets {
		if sig&s == 0 {
			return false
		}
	}
	return true
}

// firstMatching is the first of an entry's words in set: the posting list an
// entry is taken from, so that an entry with two matching words is seen once.
func firstMatching(words []int32, set wordSet) int32 {
	for _, w := range words {
		if set.has(w) {
			return w
		}
	}
	return -1
}

// hasAll reports whether every query word matches some word of the entry.
func hasAll(words []int32, matched []wordSet) bool {
	for _, set := range matched {
		if firstMatching(words, set) < 0 {
			return false
		}
	}
	return true
}
