package neo4j

import (
	"context"
	"fmt"
	"slices"

	"dangbo/internal/org"
)

// A transaction loads an operation's or a replay's working set in one
// statement (working_set.cypher) and answers what the domain reads next from
// it: records, the children and linked members of the organisations inside
// it, and the history after its date within them. Round trips then stay the
// same however many records an operation touches; what the working set does
// not hold is read as before, one statement per question.

// workingSets is what the working sets a transaction loaded hold, beyond the
// records (kept with the transaction's own, in records).
type workingSets struct {
	// inside are the organisations whose children and linked members at
	// any date the transaction holds, all of them.
	inside map[string]bool
	// historyAfter is, by organisation, the date after which the
	// transaction holds every change within it.
	historyAfter map[string]org.Date
	later        map[int64]org.Change // by number
}

// Load reads ws in one statement, unless the working sets loaded before hold
// it. An Update first locks the provinces above what ws names
// (province_lock); when what the working set holds reaches into a province
// it does not hold yet (a member of a commune residing in another province),
// it locks that one too and reads the working set again, now under the lock.
func (t *updateTx) Load(ctx context.Context, ws org.WorkingSet) error {
	near := slices.DeleteFunc(slices.Clone(ws.Near), func(id string) bool {
		return id == "" || t.loaded.inside[id] || t.members.known(id) && t.orgs.known(id)
	})
	if len(near) == 0 && len(ws.Subtrees) == 0 {
		return nil
	}
	var set loadedSet
	for lock, round := slices.Concat(near, ws.Subtrees), 0; len(lock) > 0; lock, round = t.unlockedTops(set.orgs), round+1 {
		if round == maxLockRounds {
			return fmt.Errorf("neo4j: the provinces above the working set kept moving: %v", lock)
		}
		if err := t.lockTops(ctx, lock); err != nil {
			return err
		}
		var err error
		if set, err = readWorkingSet(ctx, t.q, near, ws); err != nil {
			return err
		}
	}
	inside, foundOrgs, foundMembers, later := set.inside, set.orgs, set.members, set.later
	for _, o := range set.stored {
		if err := t.keepCounts(o); err != nil {
			return err
		}
	}
	// What near names and the working set does not hold does not exist.
	t.orgs.seed(foundOrgs, near)
	t.members.seed(foundMembers, near)
	l := &t.loaded
	if l.inside == nil {
		l.inside, l.historyAfter, l.later = map[string]bool{}, map[string]org.Date{}, map[int64]org.Change{}
	}
	for _, id := range inside {
		l.inside[id] = true
	}
	covered := slices.Clone(inside)
	for id, o := range foundOrgs {
		if slices.ContainsFunc(o.Versions, func(v org.Version) bool { return slices.Contains(inside, v.ParentID) }) {
			covered = append(covered, id)
		}
	}
	for _, m := range foundMembers {
		for id := range memberOrgs(m) {
			covered = append(covered, ancestorsEver(foundOrgs, id)...)
		}
	}
	for _, id := range covered {
		if after, ok := l.historyAfter[id]; !ok || ws.At < after {
			l.historyAfter[id] = ws.At
		}
	}
	for _, c := range later {
		l.later[c.Seq] = c
	}
	return nil
}

// maxLockRounds bounds the rounds of locking and reading of a working set
// whose provinces move while its Update waits for their locks.
const maxLockRounds = 4

// loadedSet is a working set as read.
type loadedSet struct {
	inside  []string
	stored  []*storedOrg
	orgs    map[string]*org.OrgRecord
	members map[string]*org.MemberRecord
	later   []org.Change
}

// readWorkingSet runs working_set.cypher and decodes what it found.
func readWorkingSet(ctx context.Context, q querier, near []string, ws org.WorkingSet) (loadedSet, error) {
	recs, err := run(ctx, q, "working_set", map[string]any{"near": near, "subtrees": ws.Subtrees, "at": dateParam(ws.At)})
	if err != nil {
		return loadedSet{}, err
	}
	r := one(recs)
	var d decoder
	set := loadedSet{inside: d.strings(r, "inside")}
	orgs, members, later := d.rows(r, "orgs"), d.rows(r, "members"), d.rows(r, "later")
	if d.err != nil {
		return loadedSet{}, d.err
	}
	set.orgs = make(map[string]*org.OrgRecord, len(orgs))
	for _, row := range orgs {
		o, err := decodeOrg(row)
		if err != nil {
			return loadedSet{}, err
		}
		set.stored = append(set.stored, o)
		set.orgs[o.ID] = &o.OrgRecord
	}
	set.members = make(map[string]*org.MemberRecord, len(members))
	for _, row := range members {
		m, err := decodeMember(row)
		if err != nil {
			return loadedSet{}, err
		}
		set.members[m.ID] = m
	}
	for _, row := range later {
		c, err := decodeChange(row)
		if err != nil {
			return loadedSet{}, err
		}
		set.later = append(set.later, c)
	}
	return set, nil
}

// unlockedTops are the provinces among orgs (those part of nothing at any
// date) that an Update does not hold the lock of. A working set holds every
// organisation above those it holds, so its provinces are among them.
func (t *updateTx) unlockedTops(orgs map[string]*org.OrgRecord) []string {
	if t.key == "" {
		return nil
	}
	var out []string
	for _, id := range sortedKeys(orgs) {
		top := !slices.ContainsFunc(orgs[id].Versions, func(v org.Version) bool { return v.ParentID != "" })
		if top && !t.tops[id] {
			out = append(out, id)
		}
	}
	return out
}

// known reports whether the transaction read record id, or knows it does not exist.
func (rs *records[R]) known(id string) bool { return rs.byID[id] != nil }

// seed takes the records a working set found, and notes that those of ids it
// did not find do not exist; records the transaction saw already stay as they are.
func (rs *records[R]) seed(found map[string]*R, ids []string) {
	if rs.byID == nil {
		rs.byID = map[string]*change[R]{}
	}
	add := func(id string, r *R) {
		if rs.byID[id] == nil {
			rs.byID[id] = &change[R]{before: r}
			rs.order = append(rs.order, id)
		}
	}
	for _, id := range sortedKeys(found) {
		add(id, found[id])
	}
	for _, id := range ids {
		add(id, found[id])
	}
}

// stored are the ids of the records as stored that satisfy keep.
func (rs *records[R]) stored(keep func(*R) bool) []string {
	var ids []string
	for _, id := range rs.order {
		if r := rs.byID[id].before; r != nil && keep(r) {
			ids = append(ids, id)
		}
	}
	return ids
}

// laterPage answers a page of the history within one organisation from the
// working sets, when they hold every change the query can select; from is
// the position the page starts after.
func (l *workingSets) laterPage(cq org.ChangeQuery, from org.Change) (org.ChangePage, bool) {
	after, ok := l.historyAfter[cq.Within]
	if !ok || cq.Within == "" || from.EffectiveOn <= after {
		return org.ChangePage{}, false
	}
	until := org.Date(pastForever)
	if cq.Until != 0 {
		until = cq.Until
	}
	var page org.ChangePage
	for _, c := range l.later {
		if c.EffectiveOn < until && org.CompareChanges(&c, &from) > 0 && slices.Contains(c.Scope, cq.Within) &&
			(len(cq.Types) == 0 || slices.Contains(cq.Types, c.Type)) {
			page.Changes = append(page.Changes, c)
		}
	}
	slices.SortFunc(page.Changes, func(a, b org.Change) int { return org.CompareChanges(&a, &b) })
	if len(page.Changes) > cq.First {
		page.Changes, page.HasNext = page.Changes[:cq.First], true
	}
	return page, true
}

// memberOrgs are the organisations a member is linked to, at any date.
func memberOrgs(m *org.MemberRecord) map[string]bool {
	out := map[string]bool{}
	for _, s := range m.Stints {
		out[s.CellID] = true
	}
	for _, r := range m.Residences {
		out[r.CellID] = true
	}
	for _, r := range m.Roles {
		out[r.OrgID] = true
	}
	return out
}

// ancestorsEver are id and every organisation above it at any date, among orgs.
func ancestorsEver(orgs map[string]*org.OrgRecord, id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		if o := orgs[out[i]]; o != nil {
			for _, v := range o.Versions {
				if v.ParentID != "" && !slices.Contains(out, v.ParentID) {
					out = append(out, v.ParentID)
				}
			}
		}
	}
	return out
}
