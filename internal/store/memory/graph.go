package memory

import (
	"cmp"
	"slices"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// graph is every record in memory with the indexes reads need, one per side
// of the store. It is changed only by apply, holding its side exclusively.
type graph struct {
	orgs    map[string]*orgEntry
	members map[string]*memberEntry
	search  *index
	// children holds, by parent id, every organisation any version of which
	// sits under that parent, sorted: a restructuring walks the children of
	// what it changes without scanning every organisation.
	children map[string][]string
	history  *history
	direct   directCounts
}

type orgEntry struct {
	rec org.OrgRecord
	// folds[i] is org.Fold of version i's name: folding costs more than the
	// rest of placing an organisation in a tree of a new date.
	folds []string
	// stints and residents hold every member who ever had a stint in, or a
	// residence link to, this organisation, ordered by name: a page of members
	// on any date is a filtered walk.
	stints    []*memberEntry
	residents []*memberEntry
	// holders are the members who ever held a role in it, in the same order:
	// a restructuring must end or move their terms.
	holders []*memberEntry
}

// memberList names one of an organisation's lists of members.
type memberList uint8

const (
	stintList memberList = iota
	residentList
	holderList
	numMemberLists
)

func (e *orgEntry) list(l memberList) *[]*memberEntry {
	switch l {
	case stintList:
		return &e.stints
	case residentList:
		return &e.residents
	}
	return &e.holders
}

// linkedOrgs lists, for each member list, the organisations whose list holds r.
func linkedOrgs(r *org.MemberRecord) [numMemberLists][]string {
	return [numMemberLists][]string{r.Cells(),
		distinct(r.Residences, func(x *org.Residence) string { return x.CellID }),
		distinct(r.Roles, func(x *org.RoleTerm) string { return x.OrgID })}
}

type memberEntry struct {
	rec org.MemberRecord
	key string // org.Fold(rec.FullName): the list order and the search key
	// entry is the member's name in the search index, so that a search in a
	// subtree marks it without a lookup by id.
	entry int32
}

func newGraph() *graph {
	return &graph{orgs: map[string]*orgEntry{}, members: map[string]*memberEntry{}, search: newIndex(),
		children: map[string][]string{}, history: newHistory()}
}

func compareMembers(a, b *memberEntry) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.rec.ID, b.rec.ID)
}

// putOrg installs an organisation record.
func (g *graph) putOrg(r org.OrgRecord) {
	e := g.orgs[r.ID]
	var oldParents []string
	if e == nil {
		e = &orgEntry{}
		g.orgs[r.ID] = e
	} else {
		oldParents = parents(&e.rec)
	}
	newParents := parents(&r)
	for _, p := range oldParents {
		if _, still := slices.BinarySearch(newParents, p); !still {
			g.children[p] = removeSorted(g.children[p], r.ID)
			if len(g.children[p]) == 0 {
				delete(g.children, p)
			}
		}
	}
	for _, p := range newParents {
		g.children[p] = insertSorted(g.children[p], r.ID)
	}
	e.rec = r
	e.folds = make([]string, len(r.Versions))
	for i, v := range r.Versions {
		e.folds[i] = org.Fold(v.Name)
	}
	if g.search.putOrg(&e.rec) {
		g.rebind()
	}
}

// parents lists every organisation any version of r sits under, sorted.
func parents(r *org.OrgRecord) []string {
	ids := make([]string, 0, len(r.Versions))
	for _, v := range r.Versions {
		if v.ParentID != "" {
			ids = append(ids, v.ParentID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func insertSorted(s []string, id string) []string {
	if i, found := slices.BinarySearch(s, id); !found {
		return slices.Insert(s, i, id)
	}
	return s
}

func removeSorted(s []string, id string) []string {
	if i, found := slices.BinarySearch(s, id); found {
		return slices.Delete(s, i, i+1)
	}
	return s
}

// loadMembers installs many new members at once.
func (g *graph) loadMembers(rs []*org.MemberRecord) { g.loadEntries(newEntries(rs)) }

// loadEntries installs many new member entries at once.
func (g *graph) loadEntries(entries []memberEntry) {
	lists := listsToSort{}
	g.addEntries(entries, lists)
	lists.sort()
}

// listsToSort are member lists that addMembers appended to.
type listsToSort map[*[]*memberEntry]struct{}

func (l listsToSort) sort() {
	for list := range l {
		slices.SortFunc(*list, compareMembers)
	}
}

// addMembers installs new members by appending them to the member lists of
// their organisations, leaving each list in lists to be sorted once at the end
// instead of keeping it sorted insertion by insertion.
func (g *graph) addMembers(rs []*org.MemberRecord, lists listsToSort) {
	g.addEntries(newEntries(rs), lists)
}

// newEntries makes the entries of new member records, on every core.
func newEntries(rs []*org.MemberRecord) []memberEntry {
	entries := make([]memberEntry, len(rs))
	if err := parallel(len(rs), func(i int) error {
		entries[i] = memberEntry{rec: *rs[i], key: org.Fold(rs[i].FullName)}
		return nil
	}); err != nil {
		panic(err) // the function above never fails
	}
	return entries
}

// addEntries is addMembers for entries made, their keys set.
func (g *graph) addEntries(entries []memberEntry, lists listsToSort) {
	// The search index and the member lists share nothing: build them side by side.
	indexed := make(chan struct{})
	go func() {
		g.search.grow(len(entries))
		for i := range entries {
			g.search.putMember(nil, &entries[i])
		}
		close(indexed)
	}()
	for i := range entries {
		m := &entries[i]
		g.members[m.rec.ID] = m
		for l, ids := range linkedOrgs(&m.rec) {
			for _, id := range ids {
				if e := g.orgs[id]; e != nil {
					list := e.list(memberList(l))
					*list = append(*list, m)
					lists[list] = struct{}{}
				}
			}
		}
	}
	<-indexed
}

// putMember installs a member record, moving it between the member lists of
// the organisations it left and joined. It returns every organisation whose
// members changed.
func (g *graph) putMember(r org.MemberRecord) (touched []string) {
	old := g.members[r.ID]
	m := &memberEntry{rec: r, key: org.Fold(r.FullName)}
	g.members[r.ID] = m
	var was [numMemberLists][]string
	if old != nil {
		was = linkedOrgs(&old.rec)
		for l, ids := range was {
			for _, id := range ids {
				g.unlist(id, old, memberList(l))
			}
		}
	}
	is := linkedOrgs(&r)
	for l, ids := range is {
		for _, id := range ids {
			g.list(id, m, memberList(l))
		}
	}
	if g.search.putMember(old, m) {
		g.rebind()
	}
	// Roles and residence links do not count in the trees.
	touched = append(was[stintList], is[stintList]...)
	g.direct.forget(touched)
	return touched
}

// distinct lists the organisations facts name, once each.
func distinct[T any](facts []T, orgID func(*T) string) []string {
	ids := make([]string, len(facts))
	for i := range facts {
		ids[i] = orgID(&facts[i])
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (g *graph) list(orgID string, m *memberEntry, which memberList) {
	e := g.orgs[orgID]
	if e == nil {
		return // validated writes never point to a missing organisation
	}
	l := e.list(which)
	i, _ := slices.BinarySearchFunc(*l, m, compareMembers)
	*l = slices.Insert(*l, i, m)
}

func (g *graph) unlist(orgID string, m *memberEntry, which memberList) {
	e := g.orgs[orgID]
	if e == nil {
		return
	}
	l := e.list(which)
	if i, ok := slices.BinarySearchFunc(*l, m, compareMembers); ok {
		*l = slices.Delete(*l, i, i+1)
	}
}

// buildTree makes the structure on date d from the records. The states and
// member counts are read on every core; the tree takes them one by one.
func (g *graph) buildTree(d org.Date) (*tree.Tree, error) {
	t := tree.New(d)
	entries := make([]*orgEntry, 0, len(g.orgs))
	for _, e := range g.orgs {
		entries = append(entries, e)
	}
	states := make([]placed, len(entries))
	if err := parallel(len(entries), func(i int) error {
		states[i] = g.on(entries[i], d)
		return nil
	}); err != nil {
		return nil, err
	}
	for i := range states {
		states[i].place(t, entries[i].rec.ID)
	}
	return t, t.Recount()
}

// withinAny is whether organisation id is, on date d, one of roots or under
// one, as its tree of that date would say: the walk ends where a parent did
// not exist that day.
func (g *graph) withinAny(d org.Date, id string, roots []string) bool {
	for seen := 0; seen <= len(g.orgs); seen++ { // bad data's cycle ends
		e := g.orgs[id]
		if e == nil {
			return false
		}
		v, ok := e.rec.At(d)
		if !ok {
			return false
		}
		if slices.Contains(roots, id) {
			return true
		}
		id = v.ParentID
	}
	return false
}

// orgOn is organisation id as the tree of date d holds it, counts and all,
// worked out from the records by a walk of its subtree on that date: a page
// of history reads the few organisations it names on hundreds of dates, and
// a tree of each date would cost the whole structure. False when it did not
// exist that day; an error when the parents form a cycle, as Recount's.
func (g *graph) orgOn(id string, d org.Date) (org.Org, bool, error) {
	e := g.orgs[id]
	if e == nil {
		return org.Org{}, false, nil
	}
	p := g.on(e, d)
	if !p.exists {
		return org.Org{}, false, nil
	}
	o := p.org
	var err error
	o.Counts, err = g.countsOn(id, d, p, 0)
	return o, true, err
}

// countsOn is the counts of organisation id, in state p on date d, whose
// ancestors are depth deep.
func (g *graph) countsOn(id string, d org.Date, p placed, depth int) (org.Counts, error) {
	if depth > len(g.orgs) {
		return org.Counts{}, org.Errorf(org.EInternal, "cấu trúc tổ chức có vòng lặp tại %q", id)
	}
	c := org.Counts{DirectOfficial: p.official, DirectProbationary: p.probation, Official: p.official, Probationary: p.probation}
	for _, child := range g.children[id] {
		cp := g.on(g.orgs[child], d)
		if !cp.exists || cp.org.ParentID != id {
			continue
		}
		sub, err := g.countsOn(child, d, cp, depth+1)
		if err != nil {
			return org.Counts{}, err
		}
		c.AddSubtree(cp.org.Kind, cp.org.Sector, &sub)
	}
	return c, nil
}

// placed is an organisation's state and direct member counts on one date.
type placed struct {
	org                 org.Org
	key                 string // org.Fold(org.Name)
	exists              bool
	official, probation int32
}

// on reads organisation e's state on date d.
func (g *graph) on(e *orgEntry, d org.Date) placed {
	i := slices.IndexFunc(e.rec.Versions, func(v org.Version) bool { return v.Holds(d) })
	if i < 0 {
		return placed{}
	}
	p := placed{exists: true, key: e.folds[i]}
	p.org, _ = e.rec.OrgAt(d)
	if p.org.Kind.HoldsMembers() {
		p.official, p.probation = g.direct.on(e, d)
	}
	return p
}

// place brings organisation id's state and counts in tree t up to date;
// Recount must follow.
func (p placed) place(t *tree.Tree, id string) {
	if !p.exists {
		t.Remove(id)
		return
	}
	t.SetKeyed(p.org, p.key)
	t.SetDirect(id, p.official, p.probation)
}

// placeIn brings organisation e's state and member counts in tree t up to
// date; Recount must follow.
func (g *graph) placeIn(t *tree.Tree, e *orgEntry) { g.on(e, t.At()).place(t, e.rec.ID) }

// refresh brings tree t up to date with the changed organisations.
func (g *graph) refresh(t *tree.Tree, changed map[string]struct{}) error {
	for id := range changed {
		if e := g.orgs[id]; e != nil {
			g.placeIn(t, e)
		}
	}
	return t.Recount()
}
