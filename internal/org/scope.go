package org

import (
	"cmp"
	"context"
	"slices"
)

// System is the principal of the service's own work: seeding, imports from
// the command line, tests. It may do everything, everywhere.
var System = &Principal{Subject: "system", Roles: []AccessRole{Admin}}

// visible reports, for each id, whether the caller may see that organisation
// on the view's date: whether it lies in one of the caller's subtrees.
func (s *Service) visible(ctx context.Context, p *Principal, v View, ids []string) ([]bool, error) {
	if p.Everywhere() {
		out := make([]bool, len(ids))
		for i := range out {
			out[i] = true
		}
		return out, nil
	}
	return s.store.Covers(ctx, v, p.Scope, ids)
}

// seeOrg is nil when the caller may see organisation id, and the same
// NOT_FOUND as for an id that does not exist otherwise.
func (s *Service) seeOrg(ctx context.Context, p *Principal, v View, id string) error {
	ok, err := s.visible(ctx, p, v, []string{id})
	if err != nil {
		return err
	}
	if !ok[0] {
		return notFound("tổ chức", id)
	}
	return nil
}

// Roots are the provinces for a caller who works everywhere; for any other
// caller, the topmost organisations of their scope that exist on the date.
func (s *Service) Roots(ctx context.Context, v View) ([]Org, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]Org, error) { return s.Roots(ctx, v) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	if p.Everywhere() {
		return s.store.Roots(ctx, v)
	}
	orgs, err := s.store.Orgs(ctx, v, p.Scope)
	if err != nil {
		return nil, err
	}
	var roots []Org
	for _, o := range orgs {
		if o.ID == "" || slices.ContainsFunc(roots, func(r Org) bool { return r.ID == o.ID }) {
			continue
		}
		// A scope organisation below another one is not a root of the caller's view.
		others := slices.DeleteFunc(slices.Clone(p.Scope), func(id string) bool { return id == o.ID })
		nested, err := s.store.Covers(ctx, v, others, []string{o.ID})
		if err != nil {
			return nil, err
		}
		if !nested[0] {
			roots = append(roots, o)
		}
	}
	slices.SortFunc(roots, func(a, b Org) int {
		return compareNodes(&node{org: a, key: Fold(a.Name)}, &node{org: b, key: Fold(b.Name)})
	})
	return roots, nil
}

// Org is organisation id, if the caller may see it.
func (s *Service) Org(ctx context.Context, v View, id string) (Org, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) (Org, error) { return s.Org(ctx, v, id) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return Org{}, err
	}
	o, err := s.store.Org(ctx, v, id)
	if err != nil {
		return Org{}, notFoundAs(err, "tổ chức", id)
	}
	return o, s.seeOrg(ctx, p, v, id)
}

// Orgs is the organisations of ids the caller may see, a zero Org for the others.
func (s *Service) Orgs(ctx context.Context, v View, ids []string) ([]Org, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]Org, error) { return s.Orgs(ctx, v, ids) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.Orgs(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	ok, err := s.visible(ctx, p, v, ids)
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
func (s *Service) Children(ctx context.Context, v View, id string, q PageQuery, kinds []Kind) (OrgPage, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) (OrgPage, error) {
			return s.Children(ctx, v, id, q, kinds)
		})
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return OrgPage{}, err
	}
	if err := s.seeOrg(ctx, p, v, id); err != nil {
		return OrgPage{}, err
	}
	page, err := s.store.Children(ctx, v, id, q, kinds)
	return page, notFoundAs(err, "tổ chức", id)
}

// Path lists the organisations from the top of the caller's scope down to id.
func (s *Service) Path(ctx context.Context, v View, id string) ([]Org, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]Org, error) { return s.Path(ctx, v, id) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	path, err := s.store.Path(ctx, v, id)
	if err != nil {
		return nil, notFoundAs(err, "tổ chức", id)
	}
	paths, err := s.trimPaths(ctx, p, v, [][]Org{path})
	if err != nil {
		return nil, err
	}
	if len(paths[0]) == 0 {
		return nil, notFound("tổ chức", id)
	}
	return paths[0], nil
}

// trimPaths cuts each path to start where the caller's scope does: every
// organisation above it is outside the caller's view.
func (s *Service) trimPaths(ctx context.Context, p *Principal, v View, paths [][]Org) ([][]Org, error) {
	if p.Everywhere() {
		return paths, nil
	}
	var ids []string
	for _, path := range paths {
		for _, o := range path {
			ids = append(ids, o.ID)
		}
	}
	ok, err := s.visible(ctx, p, v, ids)
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
func (s *Service) Member(ctx context.Context, v View, id string) (Member, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) (Member, error) { return s.Member(ctx, v, id) })
	}
	ms, err := s.Members(ctx, v, []string{id})
	return onlyMember(ms, err, id)
}

// onlyMember is the one member of ms, read for id: NOT_FOUND when missing.
func onlyMember(ms []Member, err error, id string) (Member, error) {
	if err != nil {
		return Member{}, err
	}
	if ms[0].ID == "" {
		return Member{}, notFound("đảng viên", id)
	}
	return ms[0], nil
}

// Members is the members of ids whose cell the caller may see, a zero Member
// for the others.
func (s *Service) Members(ctx context.Context, v View, ids []string) ([]Member, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]Member, error) { return s.Members(ctx, v, ids) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.Members(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	return ms, s.hideOutside(ctx, p, v, ms, true)
}

// hideOutside clears, in place, what the caller may not see of members: the
// whole member when their cell is outside the caller's scope (only when
// whole), and otherwise a residence link or a role in an organisation outside it.
func (s *Service) hideOutside(ctx context.Context, p *Principal, v View, ms []Member, whole bool) error {
	if p.Everywhere() {
		return nil
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.CellID, m.ResidenceCellID)
		for _, t := range m.Roles {
			ids = append(ids, t.OrgID)
		}
	}
	ok, err := s.visible(ctx, p, v, ids)
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
func (s *Service) CellMembers(ctx context.Context, v View, orgID string, q PageQuery) (MemberPage, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) (MemberPage, error) {
			return s.CellMembers(ctx, v, orgID, q)
		})
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return MemberPage{}, err
	}
	if err := s.seeOrg(ctx, p, v, orgID); err != nil {
		return MemberPage{}, err
	}
	page, err := s.store.CellMembers(ctx, v, orgID, q)
	if err != nil {
		return MemberPage{}, notFoundAs(err, "tổ chức", orgID)
	}
	return page, s.hideOutside(ctx, p, v, page.Members, false)
}

// Residents lists the members linked to a cell the caller may see whose own
// cell the caller may see too: a member of a cell outside the caller's scope
// stays invisible even where they live.
func (s *Service) Residents(ctx context.Context, v View, cellID string, q PageQuery) (MemberPage, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) (MemberPage, error) {
			return s.Residents(ctx, v, cellID, q)
		})
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return MemberPage{}, err
	}
	if err := s.seeOrg(ctx, p, v, cellID); err != nil {
		return MemberPage{}, err
	}
	if p.Everywhere() {
		page, err := s.store.Residents(ctx, v, cellID, q)
		return page, notFoundAs(err, "tổ chức", cellID)
	}
	// A cell has at most a few hundred residents: read them all, keep the
	// visible ones, and page those.
	all, err := s.store.Residents(ctx, v, cellID, PageQuery{First: maxResidents})
	if err != nil {
		return MemberPage{}, notFoundAs(err, "tổ chức", cellID)
	}
	if err := s.hideOutside(ctx, p, v, all.Members, true); err != nil {
		return MemberPage{}, err
	}
	visible := slices.DeleteFunc(all.Members, func(m Member) bool { return m.ID == "" })
	return pageMembers(visible, q)
}

// maxResidents bounds the residents Residents filters for a scoped caller.
const maxResidents = 100_000

// pageMembers cuts one page after q.After out of members in list order.
func pageMembers(members []Member, q PageQuery) (MemberPage, error) {
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
func (s *Service) Search(ctx context.Context, v View, q SearchQuery) ([]Hit, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]Hit, error) { return s.Search(ctx, v, q) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	for _, id := range q.Within {
		if err := s.seeOrg(ctx, p, v, id); err != nil {
			return nil, err
		}
	}
	if len(q.Within) == 0 && !p.Everywhere() {
		q.Within = p.Scope
	}
	if q.First <= 0 { // no hits asked for; stores would read 0 as "the default" or index by First-1
		_, err := NewMatcher(q.Text) // the text is still checked
		return nil, err
	}
	hits, err := s.store.Search(ctx, v, q)
	if err != nil {
		return nil, err
	}
	paths := make([][]Org, len(hits))
	members := make([]Member, 0, len(hits))
	for i, h := range hits {
		paths[i] = h.Path
		if h.Member != nil {
			members = append(members, *h.Member)
		}
	}
	if paths, err = s.trimPaths(ctx, p, v, paths); err != nil {
		return nil, err
	}
	if err := s.hideOutside(ctx, p, v, members, false); err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Path = paths[i]
		if hits[i].Member != nil {
			hits[i].Member, members = &members[0], members[1:]
		}
	}
	return hits, nil
}

// Covers is Reader.Covers restricted to what the caller may see.
func (s *Service) Covers(ctx context.Context, v View, roots, ids []string) ([]bool, error) {
	if v.Scenario != "" {
		return inScenario(ctx, s, v, func(ctx context.Context, s *Service, v View) ([]bool, error) { return s.Covers(ctx, v, roots, ids) })
	}
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return nil, err
	}
	covered, err := s.store.Covers(ctx, v, roots, ids)
	if err != nil {
		return nil, err
	}
	ok, err := s.visible(ctx, p, v, ids)
	for i := range covered {
		covered[i] = covered[i] && ok[i]
	}
	return covered, err
}
