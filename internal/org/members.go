package org

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
)

// MemberFilter selects members of a subtree; every field left zero selects
// everyone, and the fields set must all hold. Bounds are inclusive.
type MemberFilter struct {
	Statuses []MemberStatus `json:"statuses,omitempty"`
	Genders  []Gender       `json:"genders,omitempty"`
	// BornFrom and BornTo bound the birth year (personal data).
	BornFrom int `json:"bornFrom,omitempty"`
	BornTo   int `json:"bornTo,omitempty"`
	// Ethnicities are matched exactly, as stored (personal data).
	Ethnicities  []string `json:"ethnicities,omitempty"`
	Theories     []Theory `json:"theories,omitempty"`
	AdmittedFrom Date     `json:"admittedFrom,omitempty"`
	AdmittedTo   Date     `json:"admittedTo,omitempty"`
	OfficialFrom Date     `json:"officialFrom,omitempty"`
	OfficialTo   Date     `json:"officialTo,omitempty"`
	// ProbationOverdue keeps only members on probation for more than 12
	// months (R7), or, false, everyone else.
	ProbationOverdue *bool `json:"probationOverdue,omitempty"`
	// Roles keeps members holding one of these roles on the date, in an
	// organisation the caller sees.
	Roles []Role `json:"roles,omitempty"`
	// RatedYear with Grades keeps members rated one of Grades that year.
	RatedYear int     `json:"ratedYear,omitempty"`
	Grades    []Grade `json:"grades,omitempty"`
	// HasResidence keeps members with (or without) a residence link the
	// caller sees; ResidenceWithin those linked to a cell of that subtree.
	HasResidence    *bool  `json:"hasResidence,omitempty"`
	ResidenceWithin string `json:"residenceWithin,omitempty"`
}

// maxEthnicities bounds the ethnicities a filter lists (Vietnam counts 54).
const maxEthnicities = 64

// normalise sorts the filter's lists and drops repeated values, so that
// neither its matching nor a cursor's selection grows with repetitions a
// client sends; EInvalid past maxEthnicities distinct ethnicities.
func (f *MemberFilter) normalise() error {
	f.Statuses = slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
	f.Genders = slices.Compact(slices.Sorted(slices.Values(f.Genders)))
	f.Theories = slices.Compact(slices.Sorted(slices.Values(f.Theories)))
	f.Roles = slices.Compact(slices.Sorted(slices.Values(f.Roles)))
	f.Grades = slices.Compact(slices.Sorted(slices.Values(f.Grades)))
	f.Ethnicities = slices.Compact(slices.Sorted(slices.Values(f.Ethnicities)))
	if len(f.Ethnicities) > maxEthnicities {
		return Errorf(EInvalid, "Bộ lọc có %d dân tộc khác nhau, vượt mức tối đa %d.", len(f.Ethnicities), maxEthnicities)
	}
	return nil
}

// personal reports whether the filter reads personal data.
func (f *MemberFilter) personal() bool {
	return f.BornFrom != 0 || f.BornTo != 0 || len(f.Ethnicities) > 0
}

// MemberOrder is the order of a list of members; each breaks ties by name, then id.
type MemberOrder uint8

const (
	ByName      MemberOrder = iota // folded full name
	ByAdmission                    // admission date
	ByBirth                        // birth date, unknown last (personal data)
)

// MemberQuery asks for a page of the members of an organisation's subtree.
type MemberQuery struct {
	PageQuery
	// Subtree lists every member below the organisation; otherwise only its own.
	Subtree bool
	Filter  MemberFilter
	Order   MemberOrder
}

// Selection names what selects the list, apart from the page: the part of a
// connection's name (BindCursor) that the query gives.
func (q *MemberQuery) Selection() string {
	f := q.Filter
	_ = f.normalise()       // SubtreeMembers refuses what it refuses
	b, _ := json.Marshal(f) // plain data: cannot fail
	return strconv.FormatBool(q.Subtree) + " " + strconv.Itoa(int(q.Order)) + " " + string(b)
}

// sortKey is member m's place in a list of the given order, without the id
// that ends every key; name is Fold(m.FullName).
func sortKey(order MemberOrder, name string, m *Member) string {
	switch order {
	case ByAdmission:
		return m.AdmittedOn.String() + "\x01" + name
	case ByBirth:
		birth := "~" // after every date
		if m.Personal.BirthDate != nil {
			birth = m.Personal.BirthDate.String()
		}
		return birth + "\x01" + name
	}
	return name
}

// OrderedMemberCursor is the cursor just after member m in a list of the
// given order; by name it is MemberCursor.
func OrderedMemberCursor(order MemberOrder, m *Member) string {
	return encodeCursor(sortKey(order, Fold(m.FullName), m), m.ID)
}

// SubtreeMembers lists the members of organisation id — of its whole
// subtree when q.Subtree — that q.Filter selects, in q.Order. EInvalid when
// the filter lists more than 64 ethnicities.
func (s *Service) SubtreeMembers(ctx context.Context, v View, id string, q MemberQuery) (MemberPage, error) {
	if err := q.Filter.normalise(); err != nil {
		return MemberPage{}, err
	}
	return read(ctx, s, v, func(r *scoped, v View) (MemberPage, error) { return r.SubtreeMembers(ctx, v, id, q) })
}

// SubtreeMembers cuts the page out of the members selectMembers selects.
// Every cell of a subtree the caller sees lies in its scope.
func (r *scoped) SubtreeMembers(ctx context.Context, v View, id string, q MemberQuery) (MemberPage, error) {
	top := topPage{n: q.First}
	if q.After != "" {
		parts, err := decodeCursor(q.After, 2)
		if err != nil {
			return MemberPage{}, err
		}
		top.after = &keyed{key: parts[0], id: parts[1]}
	}
	if err := r.selectMembers(ctx, v, id, &q, &top); err != nil {
		return MemberPage{}, err
	}
	ms, err := r.keptMembers(ctx, v, top.best)
	if err != nil {
		return MemberPage{}, err
	}
	page := MemberPage{Members: ms}
	page.Total, page.HasNext = top.total, top.beyond > len(top.best)
	return page, nil
}

// selectMembers offers top the members of id's subtree (q.Subtree) or its
// own that q.Filter selects as the caller sees them (residence links and
// roles outside the caller's scope masked before the filters on them).
// Without filters on what the scope masks, top keeps only keys, and
// keptMembers reads the members through the scope at the end: a district's
// list holds tens of thousands.
func (r *scoped) selectMembers(ctx context.Context, v View, id string, q *MemberQuery, top *topPage) error {
	f := &q.Filter
	if (f.personal() || q.Order == ByBirth) && !r.p.Can(ReadPersonal) {
		return Errorf(EForbidden, "vai trò của bạn không được lọc hay sắp xếp đảng viên theo thông tin cá nhân (ngày sinh, dân tộc)")
	}
	if len(f.Grades) > 0 && f.RatedYear == 0 || f.RatedYear != 0 && len(f.Grades) == 0 {
		return Errorf(EInvalid, "lọc theo xếp loại cần cả năm và các mức xếp loại")
	}
	if f.ResidenceWithin != "" {
		if err := r.seeOrg(ctx, v, f.ResidenceWithin); err != nil {
			return err
		}
	}
	depth := 0
	if q.Subtree {
		depth = -1
	}
	cells, err := r.subtreeCells(ctx, v, id, depth)
	if err != nil {
		return err
	}
	var kept []Member
	err = r.eachMember(ctx, v, cells, func(key string, m *Member) error {
		switch {
		case !f.selectsRecord(m, v.At):
		case f.seen():
			kept = append(kept, *m)
		default:
			top.offer(keyed{sortKey(q.Order, key, m), m.ID, nil})
		}
		return nil
	})
	if err != nil || !f.seen() {
		return err
	}
	if err := r.hideOutside(ctx, v, kept, false); err != nil {
		return err
	}
	seen, err := r.selectSeen(ctx, v, f, kept)
	if err != nil {
		return err
	}
	for i := range kept {
		if m := &kept[i]; seen[i] {
			top.offer(keyed{sortKey(q.Order, Fold(m.FullName), m), m.ID, m})
		}
	}
	return nil
}

// keptMembers is the members of ks, in order: those kept whole as they are,
// the others read through the scope. One who left the subtree since the
// list was read drops out.
func (r *scoped) keptMembers(ctx context.Context, v View, ks []keyed) ([]Member, error) {
	var out []Member
	var ids []string
	for _, k := range ks {
		if k.m != nil {
			out = append(out, *k.m)
		} else {
			ids = append(ids, k.id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	ms, err := r.Members(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m Member) bool { return m.ID == "" }), nil
}

// keyed is a member's place in a list: its sort key and id, and the member
// when kept whole.
type keyed struct {
	key, id string
	m       *Member
}

func (a keyed) compare(b *keyed) int {
	return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
}

// topPage keeps, of the members offered in any order, the n first after the
// cursor (all of them, unsorted, when n < 0), and counts them all: a page
// without sorting the whole list.
type topPage struct {
	n             int
	after         *keyed
	total, beyond int     // offered; offered after the cursor
	best          []keyed // in order, at most n
}

func (p *topPage) offer(k keyed) {
	p.total++
	if p.after != nil && k.compare(p.after) <= 0 {
		return
	}
	p.beyond++
	if p.n < 0 {
		p.best = append(p.best, k)
		return
	}
	if len(p.best) == p.n && (p.n == 0 || k.compare(&p.best[p.n-1]) >= 0) {
		return
	}
	i, _ := slices.BinarySearchFunc(p.best, &k, keyed.compare)
	if len(p.best) == p.n {
		p.best = p.best[:p.n-1]
	}
	p.best = slices.Insert(p.best, i, k)
}

// MemberScanner is a Reader that reads the members of many cells at once, as
// the embedded store can from memory; without it the domain pages each
// cell's CellMembers.
type MemberScanner interface {
	// ScanMembers calls fn with each member whose official cell on the
	// view's date is one of cells, and their folded name (Fold); m is the
	// scanner's own until fn returns.
	ScanMembers(ctx context.Context, v View, cells []string, fn func(key string, m *Member) error) error
}

// subtreeCells lists the organisations of id's subtree to depth levels (-1:
// all) that hold members on the view's date: the caller must see id.
func (r *scoped) subtreeCells(ctx context.Context, v View, id string, depth int) ([]string, error) {
	nodes, err := r.ChartNodes(ctx, v, ChartQuery{RootID: id, Depth: depth}, MaxResidents)
	if err != nil {
		return nil, err
	}
	return cellsHolding(nodes), nil
}

// cellsHolding lists the nodes that hold members.
func cellsHolding(nodes []ChartNode) []string {
	var cells []string
	for i := range nodes {
		if nodes[i].Counts.DirectMembers() > 0 {
			cells = append(cells, nodes[i].ID)
		}
	}
	return cells
}

// eachMember calls fn with every member of cells, as the store holds them,
// and their folded name.
func (r *scoped) eachMember(ctx context.Context, v View, cells []string, fn func(key string, m *Member) error) error {
	if sc, ok := r.store.(MemberScanner); ok {
		return sc.ScanMembers(ctx, v, cells, fn)
	}
	for _, cell := range cells {
		// A province reads a hundred thousand members: stop at the deadline.
		if err := ctx.Err(); err != nil {
			return err
		}
		for q := (PageQuery{First: MaxPageSize}); ; {
			page, err := r.store.CellMembers(ctx, v, cell, q)
			if err != nil {
				return err
			}
			for i := range page.Members {
				if err := fn(Fold(page.Members[i].FullName), &page.Members[i]); err != nil {
					return err
				}
			}
			if !page.HasNext {
				break
			}
			q.After = MemberCursor(&page.Members[len(page.Members)-1])
		}
	}
	return nil
}

// selectsRecord reports whether m passes the filters that do not depend on
// what the caller's scope masks.
func (f *MemberFilter) selectsRecord(m *Member, at Date) bool {
	in := func(lo, hi int, x int) bool { return (lo == 0 || x >= lo) && (hi == 0 || x <= hi) }
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, m.Status) ||
		len(f.Genders) > 0 && !slices.Contains(f.Genders, m.Gender) ||
		len(f.Theories) > 0 && !slices.Contains(f.Theories, m.Theory) ||
		len(f.Ethnicities) > 0 && !slices.Contains(f.Ethnicities, m.Personal.Ethnicity) ||
		!in(int(f.AdmittedFrom), int(f.AdmittedTo), int(m.AdmittedOn)) {
		return false
	}
	if f.BornFrom != 0 || f.BornTo != 0 {
		if m.Personal.BirthDate == nil || !in(f.BornFrom, f.BornTo, m.Personal.BirthDate.Year()) {
			return false
		}
	}
	if f.OfficialFrom != 0 || f.OfficialTo != 0 {
		if m.OfficialOn == nil || !in(int(f.OfficialFrom), int(f.OfficialTo), int(*m.OfficialOn)) {
			return false
		}
	}
	if f.ProbationOverdue != nil && *f.ProbationOverdue != m.probationOverdue(at) {
		return false
	}
	if f.RatedYear != 0 {
		g, ok := ratingOf(m.Ratings, f.RatedYear)
		if !ok || !slices.Contains(f.Grades, g) {
			return false
		}
	}
	return true
}

// probationOverdue is rule R7: on probation for more than 12 months on date at.
func (m *Member) probationOverdue(at Date) bool {
	return m.Status == Probationary && m.AdmittedOn.AddYears(1) < at
}

// seen reports whether the filter reads what masking may hide.
func (f *MemberFilter) seen() bool {
	return len(f.Roles) > 0 || f.HasResidence != nil || f.ResidenceWithin != ""
}

// selectSeen reports, for each member masked for the caller, whether the
// filters on roles and residence links select them.
func (r *scoped) selectSeen(ctx context.Context, v View, f *MemberFilter, ms []Member) ([]bool, error) {
	var in []bool
	if f.ResidenceWithin != "" {
		cells := make([]string, len(ms))
		for i := range ms {
			cells[i] = ms[i].ResidenceCellID
		}
		var err error
		if in, err = r.store.Covers(ctx, v, []string{f.ResidenceWithin}, cells); err != nil {
			return nil, err
		}
	}
	out := make([]bool, len(ms))
	for i := range ms {
		m := &ms[i]
		out[i] = !(len(f.Roles) > 0 && !slices.ContainsFunc(m.Roles, func(t RoleTerm) bool { return slices.Contains(f.Roles, t.Role) }) ||
			f.HasResidence != nil && *f.HasResidence != (m.ResidenceCellID != "") ||
			in != nil && (m.ResidenceCellID == "" || !in[i]))
	}
	return out, nil
}
