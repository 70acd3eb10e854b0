package org

import (
	"cmp"
	"context"
	"slices"
)

// System is the principal of the service's own work: seeding, imports from
// the command line, tests. It may do everything, everywhere.
var System = &Principal{Subject: "system", Roles: []AccessRole{Admin}}

// scoped is the store as one caller may read it: the one place where the
// caller's scope and masking apply. Every read of the Service passes through
// it (Service.reader), and it is a Reader, so a new read must say here how it
// is scoped. Outside the caller's subtrees an organisation, and a member whose
// cell lies there, do not exist: reads by id fail with the NOT_FOUND of a
// missing id, lists leave them out, and references to them inside what the
// caller sees are masked.
type scoped struct {
	store Reader     // the live store, or a scenario's
	p     *Principal // in a scenario, narrowed to its subtree
	today Date
}

var _ Reader = (*scoped)(nil)

// reader is the store as the caller of ctx may read it in view v, and the
// view to read it in: a scenario's reads go to its replay, with the caller's
// scope narrowed to its subtree.
func (s *Service) reader(ctx context.Context, v View) (*scoped, View, error) {
	p, err := Require(ctx, ReadStructure)
	if err != nil {
		return nil, v, err
	}
	if v.Scenario == "" {
		return &scoped{store: s.store, p: p, today: s.today()}, v, nil
	}
	sc, err := s.evaluator(v.Scenario)
	if err != nil {
		return nil, v, err
	}
	sim, roots, err := sc.WhatIf(ctx, v.Scenario)
	if err != nil {
		return nil, v, err
	}
	return &scoped{store: sim.store, p: p.ConfinedTo(roots), today: sim.today()}, View{At: sim.today()}, nil
}

// read answers f from the store as the caller of ctx may read it in view v.
func read[T any](ctx context.Context, s *Service, v View, f func(r *scoped, v View) (T, error)) (T, error) {
	r, v, err := s.reader(ctx, v)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(r, v)
}

// The Service's reads: each through the caller's scoped reader.

func (s *Service) Roots(ctx context.Context, v View) ([]Org, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]Org, error) { return r.Roots(ctx, v) })
}

func (s *Service) Org(ctx context.Context, v View, id string) (Org, error) {
	return read(ctx, s, v, func(r *scoped, v View) (Org, error) { return r.Org(ctx, v, id) })
}

func (s *Service) Orgs(ctx context.Context, v View, ids []string) ([]Org, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]Org, error) { return r.Orgs(ctx, v, ids) })
}

func (s *Service) Children(ctx context.Context, v View, id string, q PageQuery, kinds []Kind) (OrgPage, error) {
	return read(ctx, s, v, func(r *scoped, v View) (OrgPage, error) { return r.Children(ctx, v, id, q, kinds) })
}

func (s *Service) Path(ctx context.Context, v View, id string) ([]Org, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]Org, error) { return r.Path(ctx, v, id) })
}

func (s *Service) Member(ctx context.Context, v View, id string) (Member, error) {
	return read(ctx, s, v, func(r *scoped, v View) (Member, error) { return r.Member(ctx, v, id) })
}

func (s *Service) Members(ctx context.Context, v View, ids []string) ([]Member, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]Member, error) { return r.Members(ctx, v, ids) })
}

func (s *Service) CellMembers(ctx context.Context, v View, orgID string, q PageQuery) (MemberPage, error) {
	return read(ctx, s, v, func(r *scoped, v View) (MemberPage, error) { return r.CellMembers(ctx, v, orgID, q) })
}

func (s *Service) Residents(ctx context.Context, v View, cellID string, q PageQuery) (MemberPage, error) {
	return read(ctx, s, v, func(r *scoped, v View) (MemberPage, error) { return r.Residents(ctx, v, cellID, q) })
}

func (s *Service) Search(ctx context.Context, v View, q SearchQuery) ([]Hit, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]Hit, error) { return r.Search(ctx, v, q) })
}

func (s *Service) SearchPage(ctx context.Context, v View, q SearchQuery) (SearchPage, error) {
	return read(ctx, s, v, func(r *scoped, v View) (SearchPage, error) { return r.searchPage(ctx, v, q) })
}

func (s *Service) SearchTotal(ctx context.Context, v View, q SearchQuery) (SearchTotal, error) {
	return read(ctx, s, v, func(r *scoped, v View) (SearchTotal, error) { return r.searchTotal(ctx, v, q) })
}

func (s *Service) ChartNodes(ctx context.Context, v View, q ChartQuery, limit int) ([]ChartNode, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]ChartNode, error) { return r.ChartNodes(ctx, v, q, limit) })
}

func (s *Service) ResidenceLinks(ctx context.Context, v View, cells []string) ([]ResidenceLink, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]ResidenceLink, error) { return r.ResidenceLinks(ctx, v, cells) })
}

func (s *Service) Covers(ctx context.Context, v View, roots, ids []string) ([]bool, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]bool, error) { return r.Covers(ctx, v, roots, ids) })
}

func (s *Service) CoversOn(ctx context.Context, roots []string, asks []DatedID) ([]bool, error) {
	return read(ctx, s, View{}, func(r *scoped, _ View) ([]bool, error) { return r.CoversOn(ctx, roots, asks) })
}

func (s *Service) Changes(ctx context.Context, q ChangeQuery) (ChangePage, error) {
	if err := s.withinKnown(ctx, q.Within); err != nil {
		return ChangePage{}, err
	}
	return read(ctx, s, View{}, func(r *scoped, _ View) (ChangePage, error) { return r.Changes(ctx, q) })
}

func (s *Service) ChangeCounts(ctx context.Context, q ChangeQuery) (ChangeCounts, error) {
	if err := s.withinKnown(ctx, q.Within); err != nil {
		return ChangeCounts{}, err
	}
	return read(ctx, s, View{}, func(r *scoped, _ View) (ChangeCounts, error) { return s.cachedCounts(ctx, r, q) })
}

// withinKnown is NOT_FOUND when a caller who works everywhere names as the
// subtree of the history an organisation that never existed: their scope
// lets them name any id, one that has ended too, and an empty history would
// not tell a typo from a quiet subtree. Others are checked by their scope.
func (s *Service) withinKnown(ctx context.Context, within string) error {
	if p, err := Caller(ctx); err != nil || within == "" || !p.Everywhere() || s.under != nil {
		return nil // a missing caller is refused by the read
	}
	err := s.store.View(ctx, func(tx Tx) error { _, err := tx.Org(ctx, within); return err })
	return notFoundAs(err, "tổ chức", within)
}

func (s *Service) Scenario(ctx context.Context, id string) (Scenario, error) {
	return read(ctx, s, View{}, func(r *scoped, _ View) (Scenario, error) { return r.Scenario(ctx, id) })
}

func (s *Service) Scenarios(ctx context.Context) ([]Scenario, error) {
	return read(ctx, s, View{}, func(r *scoped, _ View) ([]Scenario, error) { return r.Scenarios(ctx) })
}

// SeenScenario is what the caller of ctx may see of a scenario they changed
// and the changes it made.
func (s *Service) SeenScenario(ctx context.Context, sc Scenario, changes []Change) (Scenario, []Change, error) {
	r, _, err := s.reader(ctx, View{})
	if err != nil {
		return Scenario{}, nil, err
	}
	if changes, err = r.trimChanges(ctx, changes); err != nil {
		return Scenario{}, nil, err
	}
	return sc, changes, r.trimScenario(ctx, &sc)
}

// seenChange is what the caller of ctx sees of a change their operation made
// (err, when it failed); a scenario's replay keeps the whole change.
func (s *Service) seenChange(ctx context.Context, c Change, err error) (Change, error) {
	if err != nil || s.sim != nil {
		return c, err
	}
	cs, err := read(ctx, s, View{}, func(r *scoped, _ View) ([]Change, error) { return r.trimChanges(ctx, []Change{c}) })
	if err != nil {
		return Change{}, err
	}
	return cs[0], nil
}

// visible reports, for each id, whether the caller may see that organisation
// on the view's date: whether it lies in one of the caller's subtrees.
func (r *scoped) visible(ctx context.Context, v View, ids []string) ([]bool, error) {
	if r.p.Everywhere() {
		return everything(len(ids)), nil
	}
	return r.store.Covers(ctx, v, r.p.Scope, ids)
}

// everything is n answers that the caller sees it.
func everything(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// visibleOn is visible for organisations each on a date of its own.
func (r *scoped) visibleOn(ctx context.Context, asks []DatedID) ([]bool, error) {
	if r.p.Everywhere() {
		return everything(len(asks)), nil
	}
	return r.store.CoversOn(ctx, r.p.Scope, asks)
}

// SeeOrg is scoped.seeOrg for principal p, for the checks of writes.
func (s *Service) SeeOrg(ctx context.Context, p *Principal, v View, id string) error {
	return (&scoped{store: s.store, p: p, today: s.today()}).seeOrg(ctx, v, id)
}

// seeOrg is nil when the caller may see organisation id, and the same
// NOT_FOUND as for an id that does not exist otherwise.
func (r *scoped) seeOrg(ctx context.Context, v View, id string) error {
	ok, err := r.visible(ctx, v, []string{id})
	if err != nil {
		return err
	}
	if !ok[0] {
		return NotFound("tổ chức", id)
	}
	return nil
}

// Roots are the provinces for a caller who works everywhere; for any other
// caller, the topmost organisations of their scope that exist on the date.
func (r *scoped) Roots(ctx context.Context, v View) ([]Org, error) {
	if r.p.Everywhere() {
		return r.store.Roots(ctx, v)
	}
	orgs, err := r.store.Orgs(ctx, v, r.p.Scope)
	if err != nil {
		return nil, err
	}
	var roots []Org
	for _, o := range orgs {
		if o.ID == "" || slices.ContainsFunc(roots, func(x Org) bool { return x.ID == o.ID }) {
			continue
		}
		// A scope organisation below another one is not a root of the caller's view.
		others := slices.DeleteFunc(slices.Clone(r.p.Scope), func(id string) bool { return id == o.ID })
		nested, err := r.store.Covers(ctx, v, others, []string{o.ID})
		if err != nil {
			return nil, err
		}
		if !nested[0] {
			roots = append(roots, o)
		}
	}
	slices.SortFunc(roots, func(a, b Org) int { return SiblingKeyOf(&a).Compare(SiblingKeyOf(&b)) })
	return roots, nil
}

// Org is organisation id, if the caller may see it.
func (r *scoped) Org(ctx context.Context, v View, id string) (Org, error) {
	o, err := r.store.Org(ctx, v, id)
	if err != nil {
		return Org{}, notFoundAs(err, "tổ chức", id)
	}
	return o, r.seeOrg(ctx, v, id)
}

// Orgs is the organisations of ids the caller may see, a zero Org for the others.
func (r *scoped) Orgs(ctx context.Context, v View, ids []string) ([]Org, error) {
	orgs, err := r.store.Orgs(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	ok, err := r.visible(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	for i := range orgs {
		if !ok[i] {
			orgs[i] = Org{}
		}
	}
	return orgs, nil
}

// Children lists the children of an organisation the caller may see: all of
// them lie in the caller's scope too.
func (r *scoped) Children(ctx context.Context, v View, id string, q PageQuery, kinds []Kind) (OrgPage, error) {
	if err := r.seeOrg(ctx, v, id); err != nil {
		return OrgPage{}, err
	}
	page, err := r.store.Children(ctx, v, id, q, kinds)
	return page, notFoundAs(err, "tổ chức", id)
}

// Path lists the organisations from the top of the caller's scope down to id.
func (r *scoped) Path(ctx context.Context, v View, id string) ([]Org, error) {
	path, err := r.store.Path(ctx, v, id)
	if err != nil {
		return nil, notFoundAs(err, "tổ chức", id)
	}
	paths, err := r.trimPaths(ctx, v, [][]Org{path})
	if err != nil {
		return nil, err
	}
	if len(paths[0]) == 0 {
		return nil, NotFound("tổ chức", id)
	}
	return paths[0], nil
}

// trimPaths cuts each path to start where the caller's scope does: every
// organisation above it is outside the caller's view.
func (r *scoped) trimPaths(ctx context.Context, v View, paths [][]Org) ([][]Org, error) {
	if r.p.Everywhere() {
		return paths, nil
	}
	var ids []string
	for _, path := range paths {
		for _, o := range path {
			ids = append(ids, o.ID)
		}
	}
	ok, err := r.visible(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	out := make([][]Org, len(paths))
	i := 0
	for n, path := range paths {
		first := len(path)
		for j := range path {
			if ok[i+j] {
				first = j
				break
			}
		}
		out[n] = path[first:]
		i += len(path)
	}
	return out, nil
}

// Member is member id, if the caller may see their cell.
func (r *scoped) Member(ctx context.Context, v View, id string) (Member, error) {
	ms, err := r.Members(ctx, v, []string{id})
	return OnlyMember(ms, err, id)
}

// OnlyMember is the one member of ms, read for id: NOT_FOUND when missing.
func OnlyMember(ms []Member, err error, id string) (Member, error) {
	if err != nil {
		return Member{}, err
	}
	if ms[0].ID == "" {
		return Member{}, NotFound("đảng viên", id)
	}
	return ms[0], nil
}

// Members is the members of ids whose cell the caller may see, a zero Member
// for the others.
func (r *scoped) Members(ctx context.Context, v View, ids []string) ([]Member, error) {
	ms, err := r.store.Members(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	return ms, r.hideOutside(ctx, v, ms, true)
}

// hideOutside clears, in place, what the caller may not see of members: the
// whole member when their cell is outside the caller's scope (only when
// whole), and otherwise a residence link or a role in an organisation
// outside it, and personal data unless the caller's role reads it.
func (r *scoped) hideOutside(ctx context.Context, v View, ms []Member, whole bool) error {
	if !r.p.Can(ReadPersonal) {
		for i := range ms {
			ms[i].Personal = Personal{}
		}
	}
	if r.p.Everywhere() {
		return nil
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.CellID, m.ResidenceCellID)
		for _, t := range m.Roles {
			ids = append(ids, t.OrgID)
		}
	}
	ok, err := r.visible(ctx, v, ids)
	if err != nil {
		return err
	}
	i := 0
	for n := range ms {
		m := &ms[n]
		cellOK, residenceOK := ok[i], ok[i+1]
		i += 2
		var roles []RoleTerm
		for _, t := range m.Roles {
			if ok[i] {
				roles = append(roles, t)
			}
			i++
		}
		switch {
		case m.ID == "":
		case whole && !cellOK:
			*m = Member{}
		default:
			m.Roles = roles
			if !residenceOK {
				m.ResidenceCellID = ""
			}
		}
	}
	return nil
}

// CellMembers lists the members of a cell the caller may see.
func (r *scoped) CellMembers(ctx context.Context, v View, orgID string, q PageQuery) (MemberPage, error) {
	if err := r.seeOrg(ctx, v, orgID); err != nil {
		return MemberPage{}, err
	}
	page, err := r.store.CellMembers(ctx, v, orgID, q)
	if err != nil {
		return MemberPage{}, notFoundAs(err, "tổ chức", orgID)
	}
	return page, r.hideOutside(ctx, v, page.Members, false)
}

// Residents lists the members linked to a cell the caller may see whose own
// cell the caller may see too: a member of a cell outside the caller's scope
// stays invisible even where they live.
func (r *scoped) Residents(ctx context.Context, v View, cellID string, q PageQuery) (MemberPage, error) {
	if err := r.seeOrg(ctx, v, cellID); err != nil {
		return MemberPage{}, err
	}
	if r.p.Everywhere() {
		page, err := r.store.Residents(ctx, v, cellID, q)
		return page, notFoundAs(err, "tổ chức", cellID)
	}
	// A cell has at most a few hundred residents: read them all, keep the
	// visible ones, and page those.
	all, err := r.store.Residents(ctx, v, cellID, PageQuery{First: MaxResidents})
	if err != nil {
		return MemberPage{}, notFoundAs(err, "tổ chức", cellID)
	}
	if err := r.hideOutside(ctx, v, all.Members, true); err != nil {
		return MemberPage{}, err
	}
	visible := slices.DeleteFunc(all.Members, func(m Member) bool { return m.ID == "" })
	return PageMembers(visible, q)
}

// MaxResidents bounds the residents Residents filters for a scoped caller.
const MaxResidents = 100_000

// PageMembers cuts one page after q.After out of members in list order.
func PageMembers(members []Member, q PageQuery) (MemberPage, error) {
	page := MemberPage{Total: len(members)}
	start := 0
	if q.After != "" {
		key, id, err := DecodeMemberCursor(q.After)
		if err != nil {
			return MemberPage{}, err
		}
		start, _ = slices.BinarySearchFunc(members, [2]string{key, id}, func(m Member, k [2]string) int {
			if c := cmp.Compare(Fold(m.FullName), k[0]); c != 0 {
				return c
			}
			return cmp.Compare(m.ID, k[1])
		})
		if start < len(members) && members[start].ID == id {
			start++
		}
	}
	end := min(start+q.First, len(members))
	page.Members, page.HasNext = members[start:end], end < len(members)
	return page, nil
}

// Search finds names among what the caller may see: within their scope, or
// within a subtree of it they name; paths start at the top of their scope.
func (r *scoped) Search(ctx context.Context, v View, q SearchQuery) ([]Hit, error) {
	if q.First <= 0 { // no hits asked for; stores would read 0 as "the default" or index by First-1
		_, err := NewMatcher(q.Text) // the text is still checked
		return nil, err
	}
	hits, err := r.searchHits(ctx, v, q)
	if err != nil {
		return nil, err
	}
	return hits, r.trimHits(ctx, v, hits)
}

// searchPage is the page of q.First hits after q.After (ranked anew: the
// store returns the best hits up to the page's end, one more to tell
// whether a page follows), never past rank MaxSearchHits.
func (r *scoped) searchPage(ctx context.Context, v View, q SearchQuery) (SearchPage, error) {
	start := 0
	if q.After != nil {
		start = q.After.Rank
	}
	want := max(0, min(q.First, MaxSearchHits-start))
	if start+want == MaxSearchHits && want == 0 {
		_, err := NewMatcher(q.Text)
		return SearchPage{}, err
	}
	q.First = min(start+want+1, MaxSearchHits)
	hits, err := r.searchHits(ctx, v, q)
	if err != nil {
		return SearchPage{}, err
	}
	if q.After != nil { // where the cursor's hit ranks now
		start, _ = slices.BinarySearchFunc(hits, q.After.Key, func(h Hit, k SearchKey) int { return h.Key().Compare(k) })
		if start < len(hits) && hits[start].Key() == q.After.Key {
			start++
		}
	}
	end := min(start+want, len(hits))
	page := SearchPage{Hits: hits[start:end], HasNext: end < len(hits) && end < MaxSearchHits}
	for i := range page.Hits {
		page.Cursors = append(page.Cursors, SearchCursor{start + i + 1, page.Hits[i].Key()})
	}
	return page, r.trimHits(ctx, v, page.Hits)
}

// searchTotal counts the hits paging to the end would read, up to
// MaxSearchHits.
func (r *scoped) searchTotal(ctx context.Context, v View, q SearchQuery) (SearchTotal, error) {
	q.First, q.After = MaxSearchHits+1, nil
	hits, err := r.searchHits(ctx, v, q)
	return SearchTotal{Count: min(len(hits), MaxSearchHits), Exact: len(hits) <= MaxSearchHits}, err
}

// searchHits are the store's best q.First hits within what the caller may
// see, in SearchKey order, untrimmed.
func (r *scoped) searchHits(ctx context.Context, v View, q SearchQuery) ([]Hit, error) {
	for _, id := range q.Within {
		if err := r.seeOrg(ctx, v, id); err != nil {
			return nil, err
		}
	}
	if len(q.Within) == 0 && !r.p.Everywhere() {
		q.Within = r.p.Scope
	}
	hits, err := r.store.Search(ctx, v, q)
	if err != nil {
		return nil, err
	}
	// The stores rank by the same key; sorted here too, so that cursors
	// hold whatever the store's own tiebreak.
	slices.SortStableFunc(hits, func(a, b Hit) int { return a.Key().Compare(b.Key()) })
	return hits, nil
}

// trimHits cuts, in place, the hits' paths to the caller's scope and masks
// what the caller may not see of the members found.
func (r *scoped) trimHits(ctx context.Context, v View, hits []Hit) error {
	paths := make([][]Org, len(hits))
	members := make([]Member, 0, len(hits))
	for i, h := range hits {
		paths[i] = h.Path
		if h.Member != nil {
			members = append(members, *h.Member)
		}
	}
	paths, err := r.trimPaths(ctx, v, paths)
	if err != nil {
		return err
	}
	if err := r.hideOutside(ctx, v, members, false); err != nil {
		return err
	}
	for i := range hits {
		hits[i].Path = paths[i]
		if hits[i].Member != nil {
			hits[i].Member, members = &members[0], members[1:]
		}
	}
	return nil
}

// CoversOn is Reader.CoversOn restricted to what the caller may see.
func (r *scoped) CoversOn(ctx context.Context, roots []string, asks []DatedID) ([]bool, error) {
	covered, err := r.store.CoversOn(ctx, roots, asks)
	if err != nil {
		return nil, err
	}
	return both(covered)(r.visibleOn(ctx, asks))
}

// Covers is Reader.Covers restricted to what the caller may see.
func (r *scoped) Covers(ctx context.Context, v View, roots, ids []string) ([]bool, error) {
	covered, err := r.store.Covers(ctx, v, roots, ids)
	if err != nil {
		return nil, err
	}
	return both(covered)(r.visible(ctx, v, ids))
}

// both is covered and, one by one, what the caller sees, or the error
// asking what they see failed with.
func both(covered []bool) func(ok []bool, err error) ([]bool, error) {
	return func(ok []bool, err error) ([]bool, error) {
		if err != nil {
			return nil, err
		}
		for i := range covered {
			covered[i] = covered[i] && ok[i]
		}
		return covered, nil
	}
}
