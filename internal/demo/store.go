package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"dangbo/internal/org"
)

// datasetStore is the store the domain's operations write a province's
// history into: the records of the Dataset being built, kept where they are
// and indexed for the reads operations make, with no file behind them. The
// embedded store persists every write, which would make generating the demo's
// tens of thousands of changes take minutes; the operations themselves, their
// rules and their records, are the domain's.
//
// It answers only what an operation asks of a store (through Tx, and the
// Service's checks through Org and Member); anything else, never asked,
// would call the nil interfaces it embeds and panic: a bug of this package.
type datasetStore struct {
	org.Store
	d        *Dataset
	orgAt    map[string]int      // index in d.Orgs
	memberAt map[string]int      // index in d.Members
	children map[string][]string // ids of the organisations any version of which names the key as parent
	linked   map[string][]string // ids of the members a stint, residence link or role ever tied to the key
	present  map[string][]string // ids of the members whose open official stint is in the key, in no order
	first    int                 // the first change of d.Changes written through it; from it on, in effective-date order
	decided  map[[2]string]org.Date
}

// newDatasetStore takes the organisations of d.Orgs from firstOrg on and the
// members of d.Members from firstMember on.
func newDatasetStore(d *Dataset, firstOrg, firstMember int) *datasetStore {
	s := &datasetStore{d: d, first: len(d.Changes), orgAt: map[string]int{}, memberAt: map[string]int{}, children: map[string][]string{},
		linked: map[string][]string{}, present: map[string][]string{}, decided: map[[2]string]org.Date{}}
	for i := firstOrg; i < len(d.Orgs); i++ {
		s.indexOrg(i)
	}
	for i := firstMember; i < len(d.Members); i++ {
		s.indexMember(i, nil)
	}
	return s
}

func (s *datasetStore) indexOrg(i int) {
	r := &s.d.Orgs[i]
	s.orgAt[r.ID] = i
	for _, v := range r.Versions {
		if v.ParentID != "" && !slices.Contains(s.children[v.ParentID], r.ID) {
			s.children[v.ParentID] = append(s.children[v.ParentID], r.ID)
		}
	}
}

// indexMember lists member i under every organisation it names and in the
// cell it is now in, having been in was's.
func (s *datasetStore) indexMember(i int, was *org.MemberRecord) {
	m := &s.d.Members[i]
	s.memberAt[m.ID] = i
	// Repeats are read once (LinkedMembers), so only the last is checked.
	link := func(id string) {
		if ids := s.linked[id]; len(ids) == 0 || ids[len(ids)-1] != m.ID {
			s.linked[id] = append(ids, m.ID)
		}
	}
	for _, x := range m.Stints {
		link(x.CellID)
	}
	for _, x := range m.Residences {
		link(x.CellID)
	}
	for _, t := range m.Roles {
		link(t.OrgID)
	}
	before, now := "", presentCell(m)
	if was != nil {
		before = presentCell(was)
	}
	if before != now {
		if before != "" {
			ids := s.present[before]
			k := slices.Index(ids, m.ID)
			ids[k] = ids[len(ids)-1]
			s.present[before] = ids[:len(ids)-1]
		}
		if now != "" {
			s.present[now] = append(s.present[now], m.ID)
		}
	}
}

// presentCell is the cell of the member's open official stint: where they are
// now, as operations apply in date order.
func presentCell(m *org.MemberRecord) string {
	for i := len(m.Stints) - 1; i >= 0; i-- {
		if x := m.Stints[i]; !x.Temporary && x.Until == org.Forever {
			return x.CellID
		}
	}
	return ""
}

func (s *datasetStore) orgRecord(id string) *org.OrgRecord {
	i, ok := s.orgAt[id]
	if !ok {
		panic("demo: no organisation " + id)
	}
	return &s.d.Orgs[i]
}

func (s *datasetStore) memberRecord(id string) *org.MemberRecord {
	i, ok := s.memberAt[id]
	if !ok {
		panic("demo: no member " + id)
	}
	return &s.d.Members[i]
}

// alive reports whether organisation id exists on date d.
func (s *datasetStore) alive(id string, d org.Date) bool {
	_, ok := s.orgRecord(id).At(d)
	return ok
}

func (s *datasetStore) Org(_ context.Context, v org.View, id string) (org.Org, error) {
	if i, ok := s.orgAt[id]; ok {
		if o, ok := s.d.Orgs[i].OrgAt(v.At); ok {
			return o, nil
		}
	}
	return org.Org{}, org.NotFound("tổ chức", id)
}

func (s *datasetStore) Member(_ context.Context, v org.View, id string) (org.Member, error) {
	if i, ok := s.memberAt[id]; ok {
		if m, ok := s.d.Members[i].MemberAt(v.At); ok {
			return m, nil
		}
	}
	return org.Member{}, org.NotFound("đảng viên", id)
}

func (s *datasetStore) Orgs(ctx context.Context, v org.View, ids []string) ([]org.Org, error) {
	out := make([]org.Org, len(ids))
	for i, id := range ids {
		out[i], _ = s.Org(ctx, v, id)
	}
	return out, nil
}

func (s *datasetStore) Members(ctx context.Context, v org.View, ids []string) ([]org.Member, error) {
	out := make([]org.Member, len(ids))
	for i, id := range ids {
		out[i], _ = s.Member(ctx, v, id)
	}
	return out, nil
}

// Audit keeps nothing: the demo has no audit log.
func (s *datasetStore) Audit(context.Context, org.AuditEntry) error { return nil }

func (s *datasetStore) Update(ctx context.Context, fn func(org.Tx) error) error {
	tx := &datasetTx{s: s, orgs: map[string]*org.OrgRecord{}, members: map[string]*org.MemberRecord{}}
	if err := fn(tx); err != nil {
		return err
	}
	for _, id := range tx.order {
		if r := tx.orgs[id]; r != nil {
			if i, ok := s.orgAt[id]; ok {
				s.d.Orgs[i] = *r
				s.indexOrg(i)
			} else {
				s.d.Orgs = append(s.d.Orgs, *r)
				s.indexOrg(len(s.d.Orgs) - 1)
			}
			continue
		}
		r := tx.members[id]
		if i, ok := s.memberAt[id]; ok {
			was := s.d.Members[i]
			s.d.Members[i] = *r
			s.indexMember(i, &was)
		} else {
			s.d.Members = append(s.d.Members, *r)
			s.indexMember(len(s.d.Members)-1, nil)
		}
	}
	for _, c := range tx.changes {
		s.d.Changes = append(s.d.Changes, c)
		s.decided[[2]string{c.Decision.IssuerID, c.Decision.Number}] = c.Decision.Date
	}
	return nil
}

// history is the changes written through s.
func (s *datasetStore) history() []org.Change { return s.d.Changes[s.first:] }

// datasetTx is one operation's transaction: its writes are staged until it
// succeeds, so that a failed operation writes nothing.
type datasetTx struct {
	org.Tx
	s       *datasetStore
	orgs    map[string]*org.OrgRecord
	members map[string]*org.MemberRecord
	order   []string
	changes []org.Change
}

func (t *datasetTx) Org(_ context.Context, id string) (org.OrgRecord, error) {
	if r := t.orgs[id]; r != nil {
		return r.Clone(), nil
	}
	if i, ok := t.s.orgAt[id]; ok {
		return t.s.d.Orgs[i].Clone(), nil
	}
	return org.OrgRecord{}, org.NotFound("tổ chức", id)
}

func (t *datasetTx) Member(_ context.Context, id string) (org.MemberRecord, error) {
	if r := t.members[id]; r != nil {
		return r.Clone(), nil
	}
	if i, ok := t.s.memberAt[id]; ok {
		return t.s.d.Members[i].Clone(), nil
	}
	return org.MemberRecord{}, org.NotFound("đảng viên", id)
}

func (t *datasetTx) PutOrg(ctx context.Context, r org.OrgRecord) error {
	if cur, err := t.Org(ctx, r.ID); err == nil && cur.Rev != r.Rev || err != nil && r.Rev != 0 {
		return org.Stale("tổ chức", r.ID)
	}
	r = r.Clone()
	r.Rev++
	if t.orgs[r.ID] == nil && t.members[r.ID] == nil {
		t.order = append(t.order, r.ID)
	}
	t.orgs[r.ID] = &r
	return nil
}

func (t *datasetTx) PutMember(ctx context.Context, r org.MemberRecord) error {
	if cur, err := t.Member(ctx, r.ID); err == nil && cur.Rev != r.Rev || err != nil && r.Rev != 0 {
		return org.Stale("đảng viên", r.ID)
	}
	r = r.Clone()
	r.Rev++
	if t.orgs[r.ID] == nil && t.members[r.ID] == nil {
		t.order = append(t.order, r.ID)
	}
	t.members[r.ID] = &r
	return nil
}

func (t *datasetTx) Audit(context.Context, org.AuditEntry) error { return nil }

// RecordChange numbers c after every change of the dataset. Operations run
// in effective-date order, which Changes relies on.
func (t *datasetTx) RecordChange(_ context.Context, c *org.Change) error {
	if h := t.s.history(); len(h) > 0 && c.EffectiveOn < h[len(h)-1].EffectiveOn {
		panic(fmt.Sprintf("demo: a change of %s after one of %s", c.EffectiveOn, h[len(h)-1].EffectiveOn))
	}
	c.Seq = int64(len(t.s.d.Changes) + len(t.changes) + 1)
	t.changes = append(t.changes, *c)
	return nil
}

func (t *datasetTx) DecisionDate(_ context.Context, issuerID, number string) (org.Date, error) {
	if d, ok := t.s.decided[[2]string{issuerID, number}]; ok {
		return d, nil
	}
	for _, c := range t.changes {
		if c.Decision.IssuerID == issuerID && c.Decision.Number == number {
			return c.Decision.Date, nil
		}
	}
	return 0, nil
}

func (t *datasetTx) LinkedMembers(_ context.Context, orgID string) ([]string, error) {
	ids := slices.Clone(t.s.linked[orgID])
	for id, r := range t.members {
		if slices.ContainsFunc(r.Stints, func(x org.Stint) bool { return x.CellID == orgID }) ||
			slices.ContainsFunc(r.Residences, func(x org.Residence) bool { return x.CellID == orgID }) ||
			slices.ContainsFunc(r.Roles, func(x org.RoleTerm) bool { return x.OrgID == orgID }) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Load has nothing to fetch: the dataset is in memory.
func (t *datasetTx) Load(context.Context, org.WorkingSet) error { return nil }

func (t *datasetTx) ChildIDs(_ context.Context, orgID string) ([]string, error) {
	ids := slices.Clone(t.s.children[orgID])
	for id, r := range t.orgs {
		if slices.ContainsFunc(r.Versions, func(v org.Version) bool { return v.ParentID == orgID }) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Changes pages the committed history q selects, by effective date then
// sequence.
func (t *datasetTx) Changes(_ context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	h := t.s.history()
	var after *org.Change
	if q.After != "" {
		c, err := org.DecodeChangeCursor(q.After)
		if err != nil {
			return org.ChangePage{}, err
		}
		after = &c
	}
	var page org.ChangePage
	for i := sort.Search(len(h), func(i int) bool { return h[i].EffectiveOn >= q.Since }); i < len(h); i++ {
		c := &h[i]
		if after != nil && org.CompareChanges(c, after) <= 0 || !q.Matches(c) {
			continue
		}
		if len(page.Changes) == q.First {
			page.HasNext = true
			break
		}
		page.Changes = append(page.Changes, *c)
	}
	return page, nil
}
