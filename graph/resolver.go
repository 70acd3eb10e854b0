// Package graph holds the GraphQL resolvers: thin functions that parse
// arguments, call the domain service and map its answers to the schema.
package graph

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// Resolver is the root resolver; one serves every request.
type Resolver struct {
	Service         *org.Service
	ScenarioService *scenario.Service // Service's
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

// caller names who asks, for a cursor bound to what they see: their subject
// and scope.
func caller(ctx context.Context) string {
	p, _ := org.PrincipalFrom(ctx)
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%q %q", p.Subject, p.Scope)
}

// viewOf is the view a query reads: the live structure as of the given date,
// or as if the given scenario were applied, or today's.
func (r *Resolver) viewOf(ctx context.Context, asOf *org.Date, scenario *string) (org.View, error) {
	if v, ok, err := r.argView(ctx, asOf, scenario); ok || err != nil {
		return v, err
	}
	return r.Service.Now(), nil
}

// connectionView is the view a connection of obj reads: the one its
// arguments name, else obj's own.
func (r *Resolver) connectionView(ctx context.Context, obj *model.Org, asOf *org.Date, scenario *string) (org.View, error) {
	if v, ok, err := r.argView(ctx, asOf, scenario); ok || err != nil {
		return v, err
	}
	return obj.View, nil
}

// argView is the view a field's asOf and scenario arguments name, if they
// name one: live on date asOf, or scenario applied on its base date. A
// field takes one or the other.
func (r *Resolver) argView(ctx context.Context, asOf *org.Date, scenario *string) (org.View, bool, error) {
	return org.ViewOf(asOf, scenario, func(id string) (org.Scenario, error) { return r.loaders(ctx).scenario(ctx, id) })
}

func orgOf(o org.Org, v org.View) *model.Org          { return &model.Org{Org: o, View: v} }
func memberOf(m org.Member, v org.View) *model.Member { return &model.Member{Member: m, View: v} }

// nullIfNotFound turns NOT_FOUND into a null answer, as queries by id give.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if org.ErrorCode(err) == org.ENotFound {
		return nil, nil
	}
	return v, err
}

// viewKey identifies an organisation or a member in a view: the key of the
// request's loaders, since one request may read several dates and scenarios.
type viewKey struct {
	view org.View
	id   string
}

// Loaders batch the lookups that nested fields make one object at a time
// (a member's cell, an organisation's parent, a finding's member), so a page
// of 50 costs one store call instead of 50. Most requests never need them, so
// each loader is made on first use.
type Loaders struct {
	store   org.Reader
	orgs    lazyLoader[org.Org]
	members lazyLoader[org.Member]

	// scenarios are those read by id, for the base date of the fields that
	// take one as argument.
	mu        sync.Mutex
	scenarios map[string]*scenarioRead
}

type scenarioRead struct {
	once sync.Once
	sc   org.Scenario
	err  error
}

// batchWait is how long a loader gathers keys. gqlgen resolves the fields of
// a list's elements concurrently, so they all arrive within microseconds.
const batchWait = 200 * time.Microsecond

// NewLoaders returns the loaders of one request.
func NewLoaders(store org.Reader) *Loaders { return &Loaders{store: store} }

// lazyLoader is a loader of objects by id and view, made on first use.
type lazyLoader[T any] struct {
	once   sync.Once
	loader *dataloadgen.Loader[viewKey, T]
}

// load reads key through l, batching with the reads of the same moment: one
// call of read per view. read answers a zero T for an id it does not find.
func (l *lazyLoader[T]) load(ctx context.Context, key viewKey, read func(context.Context, org.View, []string) ([]T, error)) (T, error) {
	l.once.Do(func() { l.loader = dataloadgen.NewLoader(batchedByView(read), dataloadgen.WithWait(batchWait)) })
	return l.loader.Load(ctx, key)
}

func batchedByView[T any](read func(context.Context, org.View, []string) ([]T, error)) func(context.Context, []viewKey) ([]T, []error) {
	return func(ctx context.Context, keys []viewKey) ([]T, []error) {
		out := make([]T, len(keys))
		byView := map[org.View][]int{}
		for i, k := range keys {
			byView[k.view] = append(byView[k.view], i)
		}
		for v, idx := range byView {
			ids := make([]string, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].id
			}
			found, err := read(ctx, v, ids)
			if err != nil {
				return nil, []error{err}
			}
			for j, i := range idx {
				out[i] = found[j]
			}
		}
		return out, nil
	}
}

// scenario reads scenario id once per request.
func (l *Loaders) scenario(ctx context.Context, id string) (org.Scenario, error) {
	l.mu.Lock()
	if l.scenarios == nil {
		l.scenarios = map[string]*scenarioRead{}
	}
	read := l.scenarios[id]
	if read == nil {
		read = &scenarioRead{}
		l.scenarios[id] = read
	}
	l.mu.Unlock()
	read.once.Do(func() { read.sc, read.err = l.store.Scenario(ctx, id) })
	return read.sc, read.err
}

// rememberScenario keeps sc as the request's scenario of its id: a mutation
// that changed it is read after it.
func (l *Loaders) rememberScenario(sc org.Scenario) {
	read := &scenarioRead{sc: sc}
	read.once.Do(func() {})
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.scenarios == nil {
		l.scenarios = map[string]*scenarioRead{}
	}
	l.scenarios[sc.ID] = read
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

// loadOrg reads organisation id in view v through the request's loader; a
// missing one is nil.
func (r *Resolver) loadOrg(ctx context.Context, v org.View, id string) (*model.Org, error) {
	if id == "" {
		return nil, nil
	}
	l := r.loaders(ctx)
	o, err := l.orgs.load(ctx, viewKey{v, id}, l.store.Orgs)
	if err != nil || o.ID == "" {
		return nil, err
	}
	return orgOf(o, v), nil
}

// loadMember reads member id in view v through the request's loader; a
// missing one, or one the caller may not see, is nil.
func (r *Resolver) loadMember(ctx context.Context, v org.View, id string) (*model.Member, error) {
	if id == "" {
		return nil, nil
	}
	l := r.loaders(ctx)
	m, err := l.members.load(ctx, viewKey{v, id}, l.store.Members)
	if err != nil || m.ID == "" {
		return nil, err
	}
	return memberOf(m, v), nil
}

func orgConnection(p org.OrgPage, v org.View, conn string) *model.OrgConnection {
	c := &model.OrgConnection{TotalCount: p.Total}
	c.Nodes, c.Edges, c.PageInfo = page(p.Orgs, p.HasNext,
		func(o org.Org) *model.Org { return orgOf(o, v) },
		func(n *model.Org) *model.OrgEdge { return &model.OrgEdge{Node: n, Conn: conn} })
	return c
}

func memberConnection(p org.MemberPage, v org.View, conn string, order org.MemberOrder) *model.MemberConnection {
	c := &model.MemberConnection{TotalCount: p.Total}
	c.Nodes, c.Edges, c.PageInfo = page(p.Members, p.HasNext,
		func(m org.Member) *model.Member { return memberOf(m, v) },
		func(n *model.Member) *model.MemberEdge { return &model.MemberEdge{Node: n, Conn: conn, Order: order} })
	return c
}

// memberFilterOf is the domain's filter of a members argument.
func memberFilterOf(in *model.MemberFilter) org.MemberFilter {
	if in == nil {
		return org.MemberFilter{}
	}
	f := org.MemberFilter{
		Statuses: in.Status, Genders: in.Gender, BornFrom: deref(in.BornFrom), BornTo: deref(in.BornTo),
		Ethnicities: in.Ethnicity, Theories: in.PoliticalTheory,
		AdmittedFrom: deref(in.AdmittedFrom), AdmittedTo: deref(in.AdmittedTo),
		OfficialFrom: deref(in.OfficialFrom), OfficialTo: deref(in.OfficialTo),
		ProbationOverdue: in.ProbationOverdue, Roles: in.Role,
		HasResidence: in.HasResidence, ResidenceWithin: deref(in.ResidenceWithin),
	}
	if in.Rated != nil {
		f.RatedYear, f.Grades = in.Rated.Year, in.Rated.Ratings
	}
	return f
}

// pageIn is the page a connection's arguments ask for, its cursor checked to
// be one of this connection's.
func pageIn(conn string, first *int, after *string) (org.PageQuery, error) {
	inner, err := org.UnbindCursor(conn, after)
	if err != nil {
		return org.PageQuery{}, err
	}
	return org.NewPageQuery(first, &inner)
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

// newOrgOf is an optional new organisation.
func newOrgOf(in *model.NewOrgInput) *org.NewOrg {
	if in == nil {
		return nil
	}
	n := orgOfInput(*in)
	return &n
}

func memberOfInput(in model.AdmitMemberInput) org.NewMember {
	return org.NewMember{
		CellID: in.CellID, FullName: in.FullName, Gender: in.Gender, Theory: deref(in.PoliticalTheory),
		Personal: org.Personal{BirthDate: in.BirthDate, Ethnicity: deref(in.Ethnicity), Phone: deref(in.Phone),
			Email: deref(in.Email), Address: deref(in.Address)},
	}
}

// subjects are what a change named as of its effective date; an organisation
// it ended, as of the day before. Objects the caller may not see are left out.
func (r *Resolver) subjects(ctx context.Context, c *org.Change) ([]model.Node, error) {
	// A member a change names is one it wrote; everything else it names is
	// an organisation.
	members := map[string]bool{}
	for _, rec := range c.After {
		if rec.Member != nil {
			members[rec.Member.ID] = true
		}
	}
	var out []model.Node
	for _, id := range c.Subjects {
		for _, at := range []org.Date{c.EffectiveOn, c.EffectiveOn - 1} {
			var n model.Node
			v := org.View{At: at}
			if members[id] {
				m, err := r.loadMember(ctx, v, id)
				if err != nil {
					return nil, err
				}
				if m != nil {
					n = m
				}
			} else {
				o, err := r.loadOrg(ctx, v, id)
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

// severityOf is the least severity a list of findings keeps: all when not given.
func severityOf(least *org.Severity) org.Severity {
	if least == nil {
		return org.SeverityInfo
	}
	return *least
}

func violationsOf(found []org.Violation, v org.View) []*model.Violation {
	out := make([]*model.Violation, len(found))
	for i, f := range found {
		out[i] = &model.Violation{Violation: f, View: v}
	}
	return out
}
