// Package graph holds the GraphQL resolvers: thin functions that parse
// arguments, call the domain service and map its answers to the schema.
package graph

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/org"
)

// Resolver is the root resolver; one serves every request.
type Resolver struct {
	Service *org.Service
}

// Directives are the schema's directives.
var Directives = generated.DirectiveRoot{Personal: personal}

// personal hides a member's personal data from callers who may not read it:
// the field is null and an error entry says why, while the rest of the answer,
// aggregates included, stays.
func personal(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if p, ok := org.PrincipalFrom(ctx); !ok || !p.Can(org.ReadPersonal) {
		return nil, org.Errorf(org.EForbidden, "vai trò của bạn không được xem thông tin cá nhân của đảng viên")
	}
	return next(ctx)
}

// viewOf is the view a query reads: as of the given date, or today.
func (r *Resolver) viewOf(asOf *org.Date) org.View {
	if asOf != nil {
		return org.View{At: *asOf}
	}
	return r.Service.Now()
}

// connectionView is the view a connection of obj reads: as of asOf when the
// client gives one, else as of obj's own date.
func connectionView(obj *model.Org, asOf *org.Date) org.View {
	if asOf != nil {
		return org.View{At: *asOf}
	}
	return obj.View()
}

func orgOf(o org.Org, at org.Date) *model.Org          { return &model.Org{Org: o, At: at} }
func memberOf(m org.Member, at org.Date) *model.Member { return &model.Member{Member: m, At: at} }

// nullIfNotFound turns NOT_FOUND into a null answer, as queries by id give.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if org.ErrorCode(err) == org.ENotFound {
		return nil, nil
	}
	return v, err
}

// orgKey identifies an organisation on a date: the key of the request's
// organisation loader, since one request may read several dates.
type orgKey struct {
	at org.Date
	id string
}

// Loaders batch the lookups that nested fields make one object at a time
// (a member's cell, an organisation's parent), so a page of 50 costs one
// store call instead of 50. Most requests never need them, so the loader is
// made on first use.
type Loaders struct {
	store org.Reader
	once  sync.Once
	orgs  *dataloadgen.Loader[orgKey, org.Org]
}

// batchWait is how long a loader gathers keys. gqlgen resolves the fields of
// a list's elements concurrently, so they all arrive within microseconds.
const batchWait = 200 * time.Microsecond

// NewLoaders returns the loaders of one request.
func NewLoaders(store org.Reader) *Loaders { return &Loaders{store: store} }

func (l *Loaders) orgLoader() *dataloadgen.Loader[orgKey, org.Org] {
	l.once.Do(func() { l.orgs = dataloadgen.NewLoader(l.fetchOrgs, dataloadgen.WithWait(batchWait)) })
	return l.orgs
}

// fetchOrgs reads a batch of organisations, one store call per date.
func (l *Loaders) fetchOrgs(ctx context.Context, keys []orgKey) ([]org.Org, []error) {
	out := make([]org.Org, len(keys))
	byDate := map[org.Date][]int{}
	for i, k := range keys {
		byDate[k.at] = append(byDate[k.at], i)
	}
	for at, idx := range byDate {
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = keys[i].id
		}
		orgs, err := l.store.Orgs(ctx, org.View{At: at}, ids)
		if err != nil {
			return nil, []error{err}
		}
		for j, i := range idx {
			out[i] = orgs[j]
		}
	}
	return out, nil
}

type loadersKey struct{}

// WithLoaders returns a context carrying a request's loaders.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return NewLoaders(r.Service) // outside an HTTP request, e.g. in tests of one resolver
}

// loadOrg reads organisation id on date at through the request's loader; a
// missing one is nil.
func (r *Resolver) loadOrg(ctx context.Context, at org.Date, id string) (*model.Org, error) {
	if id == "" {
		return nil, nil
	}
	o, err := r.loaders(ctx).orgLoader().Load(ctx, orgKey{at, id})
	if err != nil || o.ID == "" {
		return nil, err
	}
	return orgOf(o, at), nil
}

func orgConnection(p org.OrgPage, at org.Date) *model.OrgConnection {
	c := &model.OrgConnection{TotalCount: p.Total}
	c.Nodes, c.Edges, c.PageInfo = page(p.Orgs, p.HasNext,
		func(o org.Org) *model.Org { return orgOf(o, at) },
		func(n *model.Org) *model.OrgEdge { return &model.OrgEdge{Node: n} })
	return c
}

func memberConnection(p org.MemberPage, at org.Date) *model.MemberConnection {
	c := &model.MemberConnection{TotalCount: p.Total}
	c.Nodes, c.Edges, c.PageInfo = page(p.Members, p.HasNext,
		func(m org.Member) *model.Member { return memberOf(m, at) },
		func(n *model.Member) *model.MemberEdge { return &model.MemberEdge{Node: n} })
	return c
}

// page maps one page of items to a Relay connection's nodes, edges and page
// info. Only the page's first and last cursors are made here; an edge makes
// its own when asked.
func page[T, N any, E interface{ Cursor() string }](items []T, hasNext bool, node func(T) N, edge func(N) E) ([]N, []E, *model.PageInfo) {
	nodes, edges := make([]N, len(items)), make([]E, len(items))
	info := &model.PageInfo{HasNextPage: hasNext}
	for i := range items {
		nodes[i] = node(items[i])
		edges[i] = edge(nodes[i])
	}
	if n := len(edges); n > 0 {
		first, last := edges[0].Cursor(), edges[n-1].Cursor()
		info.StartCursor, info.EndCursor = &first, &last
	}
	return nodes, edges, info
}

func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// meta is an operation's decision, effective date and note.
func meta(d org.Decision, effectiveOn *org.Date, note *string) org.Meta {
	return org.Meta{Decision: d, EffectiveOn: deref(effectiveOn), Note: deref(note)}
}

func changeOf(c org.Change, err error) (*model.Change, error) {
	if err != nil {
		return nil, err
	}
	return &model.Change{Change: c}, nil
}

func orgOfInput(in model.NewOrgInput) org.NewOrg {
	return org.NewOrg{ParentID: deref(in.ParentID), Name: in.Name, Code: deref(in.Code), Kind: in.Kind, Sector: deref(in.Sector)}
}

// subjects are what a change named as of its effective date; an organisation
// it ended, as of the day before. Objects the caller may not see are left out.
func (r *Resolver) subjects(ctx context.Context, c *org.Change) ([]model.Node, error) {
	var out []model.Node
	for _, id := range c.Subjects {
		for _, at := range []org.Date{c.EffectiveOn, c.EffectiveOn - 1} {
			var n model.Node
			if strings.HasPrefix(id, "m") {
				found, err := r.Service.Member(ctx, org.View{At: at}, id)
				m, err := nullIfNotFound(memberOf(found, at), err)
				if err != nil {
					return nil, err
				}
				if m != nil {
					n = m
				}
			} else {
				o, err := r.loadOrg(ctx, at, id)
				if err != nil {
					return nil, err
				}
				if o != nil {
					n = o
				}
			}
			if n != nil {
				out = append(out, n)
				break
			}
		}
	}
	return out, nil
}

// records writes the records of a change as JSON, without members' personal
// data for callers whose role may not read it.
func (r *Resolver) records(ctx context.Context, recs []org.Record) ([]json.RawMessage, error) {
	p, ok := org.PrincipalFrom(ctx)
	personal := ok && p.Can(org.ReadPersonal)
	out := make([]json.RawMessage, len(recs))
	for i, rec := range recs {
		if rec.Member != nil && !personal {
			m := *rec.Member
			m.Personal = org.Personal{}
			rec.Member = &m
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func violationsOf(found []org.Violation, at org.Date) []*model.Violation {
	out := make([]*model.Violation, len(found))
	for i, v := range found {
		out[i] = &model.Violation{Violation: v, At: at}
	}
	return out
}
