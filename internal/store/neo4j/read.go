package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// loadOrgs reads the organisation records of ids that exist, with their
// counts on date at, by id.
func loadOrgs(ctx context.Context, q querier, ids []string, at org.Date) (map[string]*storedOrg, error) {
	recs, err := run(ctx, q, "org_records", map[string]any{"ids": ids, "at": dateParam(at)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*storedOrg, len(recs))
	for _, rec := range recs {
		o, err := decodeOrg(rec.AsMap())
		if err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, nil
}

// loadOrgRecords is loadOrgs without the counts, for a write.
func loadOrgRecords(ctx context.Context, q querier, ids []string) (map[string]*org.OrgRecord, error) {
	stored, err := loadOrgs(ctx, q, ids, openEnd)
	out := make(map[string]*org.OrgRecord, len(stored))
	for id, o := range stored {
		out[id] = &o.OrgRecord
	}
	return out, err
}

// loadMembers reads the member records of ids that exist, by id.
func loadMembers(ctx context.Context, q querier, ids []string) (map[string]*org.MemberRecord, error) {
	recs, err := run(ctx, q, "member_records", map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*org.MemberRecord, len(recs))
	for _, rec := range recs {
		m, err := decodeMember(rec.AsMap())
		if err != nil {
			return nil, err
		}
		out[m.ID] = m
	}
	return out, nil
}

// idList runs a statement whose records each carry an id.
func idList(ctx context.Context, q querier, name string, params map[string]any) ([]string, error) {
	recs, err := run(ctx, q, name, params)
	if err != nil {
		return nil, err
	}
	return idsOf(recs)
}

// view is one read transaction's access to the structure on one date.
type view struct {
	q  querier
	at org.Date
}

// orgs are the organisations of ids that exist on the date, with their
// counts, by id.
func (v view) orgs(ctx context.Context, ids []string) (map[string]org.Org, error) {
	stored, err := loadOrgs(ctx, v.q, ids, v.at)
	if err != nil {
		return nil, err
	}
	out := statesAt(v.at, stored)
	return out, counted(out, stored)
}

// statesAt are the organisations of stored that exist on date at, by id, without counts.
func statesAt(at org.Date, stored map[string]*storedOrg) map[string]org.Org {
	out := make(map[string]org.Org, len(stored))
	for id, rec := range stored {
		if o, ok := rec.OrgAt(at); ok {
			out[id] = o
		}
	}
	return out
}

// counted sets the counts of orgs from their records in stored, read with
// their counts on the date.
func counted(orgs map[string]org.Org, stored map[string]*storedOrg) error {
	for id, o := range orgs {
		var err error
		if o.Counts, err = decodeCounts(stored[id].counts); err != nil {
			return err
		}
		orgs[id] = o
	}
	return nil
}

func orgNotFound(id string) error {
	return org.NotFound(org.WhatOrg, id)
}

func memberNotFound(id string) error {
	return org.NotFound(org.WhatMember, id)
}

// exists reports whether organisation id exists on the date, without counting it.
func (v view) exists(ctx context.Context, id string) (bool, error) {
	stored, err := loadOrgs(ctx, v.q, []string{id}, v.at)
	if err != nil || stored[id] == nil {
		return false, err
	}
	_, ok := stored[id].At(v.at)
	return ok, nil
}

// members are the members of ids who are members on the date, by id.
func (v view) members(ctx context.Context, ids []string) (map[string]org.Member, error) {
	recs, err := loadMembers(ctx, v.q, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]org.Member, len(recs))
	for id, rec := range recs {
		if m, ok := rec.MemberAt(v.at); ok {
			out[id] = m
		}
	}
	return out, nil
}

// paths are the ids from the root down to each of ids on the date, by id.
func (v view) paths(ctx context.Context, ids []string) (map[string][]string, error) {
	recs, err := run(ctx, v.q, "paths_at", map[string]any{"ids": ids, "at": dateParam(v.at)})
	if err != nil {
		return nil, err
	}
	var d decoder
	out := make(map[string][]string, len(recs))
	for _, rec := range recs {
		r := rec.AsMap()
		out[d.str(r, "id")] = d.strings(r, "path")
	}
	return out, d.err
}

// inOrder places orgs in a tree of their own to order and page them as the
// domain orders siblings (kind, folded name, id). Only that tree's order is
// used: its counts cover only what it holds.
func inOrder(at org.Date, orgs map[string]org.Org) (*tree.Tree, error) {
	t := tree.New(at)
	for _, o := range orgs {
		t.Set(o)
	}
	return t, t.Recount()
}

// withCounts replaces each organisation of list by the one in orgs, which has its real counts.
func withCounts(list []org.Org, orgs map[string]org.Org) []org.Org {
	for i, o := range list {
		list[i] = orgs[o.ID]
	}
	return list
}

// inView runs fn in a read transaction on the view of v.
func (s *Store) inView(ctx context.Context, v org.View, fn func(view) error) error {
	return s.read(ctx, func(q querier) error { return fn(view{q: q, at: v.At}) })
}

// Roots are the organisations without a parent on the date.
func (s *Store) Roots(ctx context.Context, v org.View) ([]org.Org, error) {
	var roots []org.Org
	err := s.inView(ctx, v, func(vw view) error {
		ids, err := idList(ctx, vw.q, "roots_at", map[string]any{"at": dateParam(vw.at)})
		if err != nil {
			return err
		}
		orgs, err := vw.orgs(ctx, ids)
		if err != nil {
			return err
		}
		t, err := inOrder(vw.at, orgs)
		roots = withCounts(t.Roots(), orgs)
		return err
	})
	return roots, err
}

// Org is organisation id on the date.
func (s *Store) Org(ctx context.Context, v org.View, id string) (org.Org, error) {
	return lookup(ctx, s, v, id, view.orgs, orgNotFound)
}

// Orgs are the organisations of ids on the date, a zero Org for each missing one.
func (s *Store) Orgs(ctx context.Context, v org.View, ids []string) ([]org.Org, error) {
	return lookupAll(ctx, s, v, ids, view.orgs)
}

// loader reads what exists of ids on a view's date, by id.
type loader[T any] func(vw view, ctx context.Context, ids []string) (map[string]T, error)

// lookup is what load finds of id, or the error notFound makes.
func lookup[T any](ctx context.Context, s *Store, v org.View, id string, load loader[T], notFound func(string) error) (T, error) {
	var out T
	err := s.inView(ctx, v, func(vw view) error {
		found, err := load(vw, ctx, []string{id})
		if err != nil {
			return err
		}
		var ok bool
		if out, ok = found[id]; !ok {
			return notFound(id)
		}
		return nil
	})
	return out, err
}

// lookupAll is what load finds of ids, in their order, a zero value for each missing one.
func lookupAll[T any](ctx context.Context, s *Store, v org.View, ids []string, load loader[T]) ([]T, error) {
	out := make([]T, len(ids))
	err := s.inView(ctx, v, func(vw view) error {
		found, err := load(vw, ctx, ids)
		for i, id := range ids {
			out[i] = found[id]
		}
		return err
	})
	return out, err
}

// Children lists a page of an organisation's children on the date.
func (s *Store) Children(ctx context.Context, v org.View, id string, q org.PageQuery, kinds []org.Kind) (org.OrgPage, error) {
	var page org.OrgPage
	err := s.inView(ctx, v, func(vw view) error {
		ids, err := idList(ctx, vw.q, "children_at", map[string]any{"id": id, "at": dateParam(vw.at)})
		if err != nil {
			return err
		}
		orgs, err := vw.orgs(ctx, append(ids, id))
		if err != nil {
			return err
		}
		if _, ok := orgs[id]; !ok {
			return orgNotFound(id)
		}
		t, err := inOrder(vw.at, orgs)
		if err != nil {
			return err
		}
		list, hasNext, total, err := t.Children(id, q, kinds)
		page = org.OrgPage{Orgs: withCounts(list, orgs), HasNext: hasNext, Total: total}
		return err
	})
	return page, err
}

// Path lists the organisations from the root down to id on the date.
// Covers answers from the paths of ids on the date, and from which of them
// exist then.
func (s *Store) Covers(ctx context.Context, v org.View, roots, ids []string) ([]bool, error) {
	out := make([]bool, len(ids))
	err := s.inView(ctx, v, func(vw view) error {
		paths, err := vw.paths(ctx, ids)
		if err != nil {
			return err
		}
		orgs, err := vw.orgs(ctx, ids)
		if err != nil {
			return err
		}
		for i, id := range ids {
			_, exists := orgs[id]
			out[i] = exists && slices.ContainsFunc(paths[id], func(p string) bool { return slices.Contains(roots, p) })
		}
		return nil
	})
	return out, err
}

func (s *Store) CoversOn(ctx context.Context, roots []string, asks []org.DatedID) ([]bool, error) {
	out := make([]bool, len(asks))
	if len(asks) == 0 {
		return out, nil
	}
	params := make([]any, len(asks))
	for i, a := range asks {
		params[i] = map[string]any{"at": dateParam(a.At), "id": a.ID}
	}
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "covers_on", map[string]any{"asks": params, "roots": roots})
		if err != nil {
			return err
		}
		var d decoder
		for _, rec := range recs {
			if i := d.integer(rec.AsMap(), "i"); d.err == nil && i >= 0 && int(i) < len(out) {
				out[i] = true
			}
		}
		return d.err
	})
	return out, err
}

func (s *Store) Path(ctx context.Context, v org.View, id string) ([]org.Org, error) {
	var path []org.Org
	err := s.inView(ctx, v, func(vw view) error {
		paths, err := vw.paths(ctx, []string{id})
		if err != nil {
			return err
		}
		orgs, err := vw.orgs(ctx, paths[id])
		if err != nil {
			return err
		}
		if _, ok := orgs[id]; !ok {
			return orgNotFound(id)
		}
		path, err = pathOf(paths[id], orgs)
		return err
	})
	return path, err
}

// pathOf is the organisations of a path of ids.
func pathOf(ids []string, orgs map[string]org.Org) ([]org.Org, error) {
	path := make([]org.Org, len(ids))
	for i, id := range ids {
		o, ok := orgs[id]
		if !ok {
			return nil, fmt.Errorf("neo4j: organisation %q on a path does not exist on the date", id)
		}
		path[i] = o
	}
	return path, nil
}

// Member is member id on the date.
func (s *Store) Member(ctx context.Context, v org.View, id string) (org.Member, error) {
	return lookup(ctx, s, v, id, view.members, memberNotFound)
}

// Members are the members of ids on the date, a zero Member for each missing one.
func (s *Store) Members(ctx context.Context, v org.View, ids []string) ([]org.Member, error) {
	return lookupAll(ctx, s, v, ids, view.members)
}

// CellMembers lists a page of the members whose official cell orgID is on the date.
func (s *Store) CellMembers(ctx context.Context, v org.View, orgID string, q org.PageQuery) (org.MemberPage, error) {
	return s.memberPage(ctx, v, "cell_members_page", orgID, q)
}

// Residents lists a page of the members with a residence link to cellID on the date.
func (s *Store) Residents(ctx context.Context, v org.View, cellID string, q org.PageQuery) (org.MemberPage, error) {
	return s.memberPage(ctx, v, "residents_page", cellID, q)
}

// memberPage runs a statement that lists the members tied to an organisation
// by folded name and id, and reads the page it returns.
func (s *Store) memberPage(ctx context.Context, v org.View, statement, orgID string, q org.PageQuery) (org.MemberPage, error) {
	var afterKey, afterID string
	if q.After != "" {
		var err error
		if afterKey, afterID, err = org.DecodeMemberCursor(q.After); err != nil {
			return org.MemberPage{}, err
		}
	}
	var page org.MemberPage
	err := s.inView(ctx, v, func(vw view) error {
		if ok, err := vw.exists(ctx, orgID); err != nil || !ok {
			return cmp.Or(err, orgNotFound(orgID))
		}
		recs, err := run(ctx, vw.q, statement, map[string]any{
			"id": orgID, "at": dateParam(vw.at), "afterKey": afterKey, "afterId": afterID, "limit": int64(q.First + 1),
		})
		if err != nil {
			return err
		}
		var d decoder
		r := one(recs)
		total, ids := d.integer(r, "total"), d.strings(r, "ids")
		if d.err != nil {
			return d.err
		}
		page = org.MemberPage{Total: int(total), HasNext: len(ids) > q.First}
		ids = ids[:min(len(ids), q.First)]
		members, err := vw.members(ctx, ids)
		for _, id := range ids {
			page.Members = append(page.Members, members[id])
		}
		return err
	})
	return page, err
}

// ChartNodes lists the chart of the subtree of q.RootID on the date. The
// whole subtree is loaded whatever q.Depth: a variable-length pattern takes no
// parameter as its bound.
func (s *Store) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	var nodes []org.ChartNode
	err := s.inView(ctx, v, func(vw view) (err error) {
		nodes, err = vw.chartNodes(ctx, q, limit)
		return err
	})
	return nodes, err
}

// ChartNodes reads the chart as committed, in the transaction.
func (t *updateTx) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	return view{q: t.q, at: v.At}.chartNodes(ctx, q, limit)
}

func (v view) chartNodes(ctx context.Context, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	orgs, err := v.subtree(ctx, q.RootID)
	if err != nil {
		return nil, err
	}
	t, err := inOrder(v.at, orgs)
	if err != nil {
		return nil, err
	}
	nodes, err := t.ChartNodes(q, limit)
	if err != nil {
		return nil, err
	}
	// The tree only orders: its counts know no members.
	for i := range nodes {
		nodes[i].Org = orgs[nodes[i].ID]
	}
	return nodes, nil
}

// subtree is every organisation of the subtree of root on the date, with its
// counts, by id; NOT_FOUND when root does not exist then.
func (v view) subtree(ctx context.Context, root string) (map[string]org.Org, error) {
	recs, err := run(ctx, v.q, "subtree_records", map[string]any{"id": root, "at": dateParam(v.at)})
	if err != nil {
		return nil, err
	}
	stored := make(map[string]*storedOrg, len(recs))
	for _, rec := range recs {
		o, err := decodeOrg(rec.AsMap())
		if err != nil {
			return nil, err
		}
		stored[o.ID] = o
	}
	orgs := statesAt(v.at, stored)
	if _, ok := orgs[root]; !ok {
		return nil, orgNotFound(root)
	}
	return orgs, counted(orgs, stored)
}

// ResidenceLinks counts the members of each cell of cells with a residence
// link to another of them on the date, by pair of cells in the order the
// statement sorts them.
func (s *Store) ResidenceLinks(ctx context.Context, v org.View, cells []string) ([]org.ResidenceLink, error) {
	if len(cells) == 0 {
		return []org.ResidenceLink{}, nil
	}
	var links []org.ResidenceLink
	err := s.inView(ctx, v, func(vw view) error {
		recs, err := run(ctx, vw.q, "residence_links", map[string]any{"cells": cells, "at": dateParam(vw.at)})
		if err != nil {
			return err
		}
		var d decoder
		links = make([]org.ResidenceLink, 0, len(recs))
		for _, rec := range recs {
			r := rec.AsMap()
			links = append(links, org.ResidenceLink{From: d.str(r, "fromId"), To: d.str(r, "toId"), Members: int(d.integer(r, "members"))})
		}
		return d.err
	})
	return links, err
}
