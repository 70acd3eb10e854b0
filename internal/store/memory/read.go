package memory

import (
	"context"
	"slices"

	"dangbo/internal/org"
)

// Every read takes the active side once, then works on the tree of the view's
// date and the records; helpers below it never take a side again.

func (s *Store) Roots(ctx context.Context, v org.View) ([]org.Org, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return nil, err
	}
	return t.Roots(), nil
}

func (s *Store) Org(ctx context.Context, v org.View, id string) (org.Org, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return org.Org{}, err
	}
	o, ok := t.Get(id)
	if !ok {
		return org.Org{}, errOrgNotFound(id)
	}
	return o, nil
}

func errOrgNotFound(id string) error {
	return org.NotFound(org.WhatOrg, id)
}

func errMemberNotFound(id string) error {
	return org.NotFound(org.WhatMember, id)
}

// Orgs answers from the date's tree when one is built or the ids are many,
// and otherwise walks each one's subtree as it stood that day (graph.orgOn):
// the history's subjects and issuers are a few organisations on each of
// hundreds of dates.
func (s *Store) Orgs(ctx context.Context, v org.View, ids []string) ([]org.Org, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	out := make([]org.Org, len(ids))
	t, ok := sd.trees.cached(v.At)
	if !ok && len(ids) <= walkedOrgs {
		for i, id := range ids {
			o, ok, err := sd.g.orgOn(id, v.At)
			if err != nil {
				return nil, err
			}
			if ok {
				out[i] = o
			}
		}
		return out, nil
	}
	if !ok {
		var err error
		if t, err = sd.tree(ctx, v.At); err != nil {
			return nil, err
		}
	}
	for i, id := range ids {
		out[i], _ = t.Get(id)
	}
	return out, nil
}

// walkedOrgs is how many organisations Orgs reads by walks rather than by
// building a date's tree: past it, the tree costs less than the walks.
const walkedOrgs = 16

func (s *Store) Children(ctx context.Context, v org.View, id string, q org.PageQuery, kinds []org.Kind) (org.OrgPage, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return org.OrgPage{}, err
	}
	page, more, total, err := t.Children(id, q, kinds)
	return org.OrgPage{Orgs: page, HasNext: more, Total: total}, err
}

func (s *Store) Path(ctx context.Context, v org.View, id string) ([]org.Org, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return nil, err
	}
	if !t.Has(id) {
		return nil, errOrgNotFound(id)
	}
	return t.Path(id), nil
}

func (s *Store) Member(_ context.Context, v org.View, id string) (org.Member, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	if e := sd.g.members[id]; e != nil {
		if m, ok := e.rec.MemberAt(v.At); ok {
			return m, nil
		}
	}
	return org.Member{}, errMemberNotFound(id)
}

func (s *Store) Members(_ context.Context, v org.View, ids []string) ([]org.Member, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	out := make([]org.Member, len(ids))
	for i, id := range ids {
		if e := sd.g.members[id]; e != nil {
			out[i], _ = e.rec.MemberAt(v.At)
		}
	}
	return out, nil
}

// Covers answers from the tree of the view's date: ancestors are a walk up.
// Covers answers from the date's tree when one is built, and otherwise walks
// each id's parents as they stood that day: the history asks about hundreds
// of dates a page, and a tree of each would cost the whole structure per date.
func (s *Store) Covers(_ context.Context, v org.View, roots, ids []string) ([]bool, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	within := func(id string) bool { return sd.g.withinAny(v.At, id, roots) }
	if t, ok := sd.trees.cached(v.At); ok {
		within = func(id string) bool { return t.WithinAny(id, roots) }
	}
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = within(id)
	}
	return out, nil
}

func (s *Store) CoversOn(_ context.Context, roots []string, asks []org.DatedID) ([]bool, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	out := make([]bool, len(asks))
	for i, a := range asks {
		out[i] = sd.g.withinAny(a.At, a.ID, roots)
	}
	return out, nil
}

func (s *Store) CellMembers(ctx context.Context, v org.View, orgID string, q org.PageQuery) (org.MemberPage, error) {
	return s.memberPage(ctx, v, orgID, q, false)
}

func (s *Store) Residents(ctx context.Context, v org.View, cellID string, q org.PageQuery) (org.MemberPage, error) {
	return s.memberPage(ctx, v, cellID, q, true)
}

// memberPage walks an organisation's name-ordered list of members ever and
// keeps those whose cell (or residence) on the view's date is the organisation.
func (s *Store) memberPage(ctx context.Context, v org.View, orgID string, q org.PageQuery, residents bool) (org.MemberPage, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return org.MemberPage{}, err
	}
	e := sd.g.orgs[orgID]
	if e == nil || !t.Has(orgID) {
		return org.MemberPage{}, errOrgNotFound(orgID)
	}
	list, holds := e.stints, (*org.MemberRecord).CellOn
	if residents {
		// A residence link counts only while its holder is a member.
		list, holds = e.residents, func(r *org.MemberRecord, d org.Date) string {
			if r.CellOn(d) == "" {
				return ""
			}
			return r.ResidenceOn(d)
		}
	}
	start := 0
	if q.After != "" {
		key, id, err := org.DecodeMemberCursor(q.After)
		if err != nil {
			return org.MemberPage{}, err
		}
		after := &memberEntry{key: key, rec: org.MemberRecord{ID: id}}
		start, _ = slices.BinarySearchFunc(list, after, compareMembers)
		if start < len(list) && list[start].rec.ID == id {
			start++
		}
	}
	var p org.MemberPage
	for i, m := range list {
		if holds(&m.rec, v.At) != orgID {
			continue
		}
		p.Total++
		if i < start {
			continue
		}
		if len(p.Members) == q.First {
			p.HasNext = true
			continue
		}
		member, _ := m.rec.MemberAt(v.At)
		p.Members = append(p.Members, member)
	}
	return p, nil
}
