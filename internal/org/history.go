package org

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// ChangeType is what a restructuring operation did.
type ChangeType uint8

const (
	ChangeEstablished ChangeType = iota
	ChangeRenamed
	ChangeTransferred
	ChangeMerged
	ChangeSplit
	ChangeDissolved
	ChangeKindChanged
	ChangeAdmitted
	ChangeConfirmed
	ChangeMemberTransferred
	ChangeMemberRemoved
	ChangeResidenceSet
	ChangeResidenceEnded
	ChangeRoleAssigned
	ChangeRoleEnded
	ChangeRated
	ChangeMeetingsRecorded
	NumChangeTypes = iota
)

var changeTypes = enumNames[ChangeType]{"loại thay đổi", []string{
	"ESTABLISHED", "RENAMED", "TRANSFERRED", "MERGED", "SPLIT", "DISSOLVED", "KIND_CHANGED",
	"MEMBER_ADMITTED", "MEMBER_CONFIRMED", "MEMBER_TRANSFERRED", "MEMBER_REMOVED",
	"RESIDENCE_SET", "RESIDENCE_ENDED", "ROLE_ASSIGNED", "ROLE_ENDED", "RATING_RECORDED",
	"MEETINGS_RECORDED",
}}

func (t ChangeType) String() string                { return changeTypes.String(t) }
func (t ChangeType) MarshalText() ([]byte, error)  { return changeTypes.Marshal(t) }
func (t *ChangeType) UnmarshalText(b []byte) error { return changeTypes.Unmarshal(t, b) }

// Decision is the decision that orders an operation: its number, the date it
// was signed and the committee that issued it.
type Decision struct {
	Number   string `json:"number"`
	Date     Date   `json:"date"`
	IssuerID string `json:"issuerId"`
}

// Meta is what every restructuring operation carries besides its own input.
type Meta struct {
	Decision    Decision
	EffectiveOn Date // zero: today
	Note        string
}

// Change is one applied operation, immutable once recorded: the history that
// answers "what happened, when, by whose decision".
type Change struct {
	Seq         int64      `json:"seq"` // given by the store, increasing
	Type        ChangeType `json:"type"`
	EffectiveOn Date       `json:"effectiveOn"`
	Decision    Decision   `json:"decision"`
	Note        string     `json:"note,omitempty"`
	Actor       string     `json:"actor"` // the subject who recorded it
	RecordedAt  time.Time  `json:"recordedAt"`
	// Subjects are the organisations and members the operation named.
	Subjects []string `json:"subjects"`
	// Scope holds every organisation whose subtree the change touched, on its
	// effective date, before and after it: a change lies within an
	// organisation when the organisation is in its scope.
	Scope []string `json:"scope"`
	// Before and After are the records the change touched as they were and as
	// it left them; Before lacks the records it created.
	Before []Record `json:"before,omitempty"`
	After  []Record `json:"after,omitempty"`
}

// Within reports whether the change touched the subtree of organisation id.
func (c *Change) Within(id string) bool {
	for _, s := range c.Scope {
		if s == id {
			return true
		}
	}
	return false
}

// ChangeQuery selects changes of the history.
type ChangeQuery struct {
	Within string // only changes within this organisation's subtree; empty: all
	// Since and Until bound the effective dates, [Since, Until); zero for no bound.
	Since, Until Date
	Types        []ChangeType // empty: all
	First        int
	After        string // cursor of the last change of the previous page
}

// Matches reports whether c is one of the changes q selects, paging aside.
func (q *ChangeQuery) Matches(c *Change) bool {
	if c.EffectiveOn < q.Since || q.Until != 0 && c.EffectiveOn >= q.Until {
		return false
	}
	if len(q.Types) > 0 && !containsType(q.Types, c.Type) {
		return false
	}
	return q.Within == "" || c.Within(q.Within)
}

func containsType(ts []ChangeType, t ChangeType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// ChangePage is one page of changes, by effective date, then sequence.
type ChangePage struct {
	Changes []Change
	HasNext bool
}

// CompareChanges orders changes by effective date, then sequence number: the
// order of the history and of its cursors.
func CompareChanges(a, b *Change) int {
	if a.EffectiveOn != b.EffectiveOn {
		return int(a.EffectiveOn) - int(b.EffectiveOn)
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// ChangeCursor is the cursor just after change c.
func ChangeCursor(c *Change) string {
	return encodeCursor(c.EffectiveOn.String(), strconv.FormatInt(c.Seq, 10))
}

// DecodeChangeCursor reads a cursor made by ChangeCursor as the position it
// names: a change with that effective date and sequence number.
func DecodeChangeCursor(s string) (Change, error) {
	parts, err := decodeCursor(s, 2)
	if err != nil {
		return Change{}, err
	}
	d, err := ParseDate(parts[0])
	if err != nil {
		return Change{}, errBadCursor
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Change{}, errBadCursor
	}
	return Change{EffectiveOn: d, Seq: seq}, nil
}

// ChangeCounts counts changes by type.
type ChangeCounts [NumChangeTypes]int

// historyQuery checks a history query from a caller and fits it to their
// scope: a caller who does not work everywhere reads within their scope.
func (r *scoped) historyQuery(ctx context.Context, q *ChangeQuery) error {
	if q.Until != 0 && q.Until < q.Since {
		return Errorf(EInvalid, "until (%s) phải sau since (%s)", q.Until, q.Since)
	}
	if q.Within == "" && !r.p.Everywhere() {
		if len(r.p.Scope) != 1 {
			return Errorf(EInvalid, "hãy chọn tổ chức (within) để xem lịch sử thay đổi")
		}
		q.Within = r.p.Scope[0]
	}
	if q.Within != "" {
		// Scope is checked on today's structure: the history of a subtree
		// that has ended is for callers who work everywhere.
		return r.seeOrg(ctx, View{At: r.today}, q.Within)
	}
	return nil
}

// Changes lists the history, by effective date, then sequence number, as
// the caller may see it (trimChanges): for a caller who does not work
// everywhere, only the changes that concern them.
func (r *scoped) Changes(ctx context.Context, q ChangeQuery) (ChangePage, error) {
	if err := r.historyQuery(ctx, &q); err != nil {
		return ChangePage{}, err
	}
	if err := checkFirst(q.First); err != nil {
		return ChangePage{}, err
	}
	if r.p.Everywhere() {
		page, err := r.store.Changes(ctx, q)
		if err != nil {
			return ChangePage{}, err
		}
		page.Changes, err = r.trimChanges(ctx, page.Changes)
		return page, err
	}
	var page ChangePage
	err := r.concerning(ctx, q, min(q.First+1, MaxPageSize), func(c Change) bool {
		if len(page.Changes) == q.First {
			page.HasNext = true
			return false
		}
		page.Changes = append(page.Changes, c)
		return true
	})
	return page, err
}

// concerning calls fn with each change q selects, from q.After on, that
// concerns the caller, trimmed for them, until fn returns false or the
// history ends. It reads the store a page of size at a time: the store
// selects by the scope a change was recorded with, and a change whose
// records lie outside the caller's subtree on its date (something moved out
// of it, or a restructuring recorded later ended it) concerns them not:
// its type and decision would tell what happened outside.
func (r *scoped) concerning(ctx context.Context, q ChangeQuery, size int, fn func(Change) bool) error {
	q.First = size
	for {
		page, err := r.store.Changes(ctx, q)
		if err != nil {
			return err
		}
		changes, err := r.trimChanges(ctx, page.Changes)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if concerns(c) && !fn(c) {
				return nil
			}
		}
		if !page.HasNext || len(page.Changes) == 0 {
			return nil
		}
		q.After = ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
}

// concerns is whether a change, as trimChanges left it for the caller, is
// theirs to list: it names or wrote something they see on its date.
func concerns(c Change) bool { return len(c.Subjects)+len(c.Before)+len(c.After) > 0 }

// ChangeCounts counts the changes q selects by type ("established 232,
// dissolved 225, merged 198, admitted 6,225"), those Changes would list.
func (r *scoped) ChangeCounts(ctx context.Context, q ChangeQuery) (ChangeCounts, error) {
	if err := r.historyQuery(ctx, &q); err != nil {
		return ChangeCounts{}, err
	}
	if r.p.Everywhere() {
		return r.store.ChangeCounts(ctx, q)
	}
	var n ChangeCounts
	q.After = ""
	err := r.concerning(ctx, q, MaxPageSize, func(c Change) bool {
		n[c.Type]++
		return true
	})
	return n, err
}

// changeHead is what counting needs of a change.
type changeHead struct {
	on Date
	t  ChangeType
}

// cachedCounts is r.ChangeCounts for the live store. Counting for a caller
// who does not work everywhere trims every change of their subtree (about a
// second for a province's 40,000 on the embedded store): the changes they
// may list are kept by subtree until the next write, so that callers of one
// subtree, and counts over other dates or types, share one reading.
func (s *Service) cachedCounts(ctx context.Context, r *scoped, q ChangeQuery) (ChangeCounts, error) {
	if r.p.Everywhere() || s.heads == nil {
		return r.ChangeCounts(ctx, q)
	}
	if err := r.historyQuery(ctx, &q); err != nil {
		return ChangeCounts{}, err
	}
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return ChangeCounts{}, err
	}
	key := fmt.Sprint(rev, r.p.Scope, q.Within)
	v, err, _ := s.headsOnce.Do(key, func() (any, error) {
		if heads, ok := s.heads.Get(key); ok {
			return heads, nil
		}
		var heads []changeHead
		err := r.concerning(ctx, ChangeQuery{Within: q.Within}, MaxPageSize, func(c Change) bool {
			heads = append(heads, changeHead{c.EffectiveOn, c.Type})
			return true
		})
		if err == nil {
			s.heads.Add(key, heads)
		}
		return heads, err
	})
	if err != nil {
		return ChangeCounts{}, err
	}
	q.Within = ""
	var n ChangeCounts
	for _, h := range v.([]changeHead) {
		if q.Matches(&Change{EffectiveOn: h.on, Type: h.t}) {
			n[h.t]++
		}
	}
	return n, nil
}

// trimChanges is what the caller may see of changes, as copies: a change
// that lies in their scope may have touched what lies outside it. An
// organisation counts as inside on the change's effective date when it is
// in the caller's scope that day; when this change moves it out or ends it
// (its own record before the change places it inside); or, for a reference,
// when it ended that day and was inside the day before. A member counts as
// inside when their cell does, as this change found them. What a new owner
// does on the day something moved out to it is not the former owner's to
// read. Records of what lies outside are left out; inside a record,
// references to organisations outside (a parent, a member's cell, residence
// or role) are masked, as is the decision's issuer; members' personal data
// is left out unless the caller's role reads it.
func (r *scoped) trimChanges(ctx context.Context, changes []Change) ([]Change, error) {
	personal := r.p.Can(ReadPersonal)
	if r.p.Everywhere() && personal {
		return changes, nil
	}
	// Every organisation each change names, on its date and the day before,
	// asked at once for the whole page.
	var asks []DatedID
	asked := map[DatedID]bool{}
	dates := map[Date]bool{} // the changes' own dates
	for i := range changes {
		c := &changes[i]
		ids := append([]string{c.Decision.IssuerID}, c.Scope...)
		for _, rec := range slices.Concat(c.Before, c.After) {
			ids = append(ids, recordOrgs(rec)...)
		}
		dates[c.EffectiveOn] = true
		for _, d := range []Date{c.EffectiveOn, c.EffectiveOn - 1} {
			for _, id := range ids {
				if a := (DatedID{At: d, ID: id}); !asked[a] {
					asked[a] = true
					asks = append(asks, a)
				}
			}
		}
	}
	ok, err := r.visibleOn(ctx, asks)
	if err != nil {
		return nil, err
	}
	seen := map[Date]map[string]bool{}
	for i, a := range asks {
		if seen[a.At] == nil {
			seen[a.At] = map[string]bool{}
		}
		seen[a.At][a.ID] = ok[i]
	}
	// Of those inside the day before a change and not on its date, which
	// ended then rather than moved out: most changes have none to ask.
	// Whether they exist is only used to answer whether they count as inside.
	var gone []DatedID
	var goneIDs []string
	for _, a := range asks {
		if dates[a.At] && seen[a.At-1][a.ID] && !seen[a.At][a.ID] {
			gone, goneIDs = append(gone, a), append(goneIDs, a.ID)
		}
	}
	ended := map[DatedID]bool{}
	if len(gone) > 0 {
		// An organisation covers itself on a date it exists.
		exists, err := r.store.CoversOn(ctx, goneIDs, gone)
		if err != nil {
			return nil, err
		}
		for j, g := range gone {
			ended[g] = !exists[j]
		}
	}
	moved := slices.DeleteFunc(slices.Clone(gone), func(g DatedID) bool { return ended[g] })
	left, err := r.leftAt(ctx, moved)
	if err != nil {
		return nil, err
	}
	out := make([]Change, len(changes))
	for i, c := range changes {
		d := c.EffectiveOn
		in := insideOn(c, seen[d], r.p.Scope, func(id string) bool {
			g := DatedID{At: d, ID: id}
			seq, out := left[g]
			return ended[g] || out && c.Seq <= seq
		})
		mask := func(id string) string {
			if in(id) {
				return id
			}
			return ""
		}
		c.Decision.IssuerID = mask(c.Decision.IssuerID)
		c.Scope = slices.DeleteFunc(slices.Clone(c.Scope), func(id string) bool { return !in(id) })
		before := beforeOf(c.Before)
		seenMembers := map[string]bool{} // of the members c has records of, those the caller reads
		for _, rec := range slices.Concat(c.Before, c.After) {
			if rec.Member != nil {
				seenMembers[rec.Member.ID] = false
			}
		}
		c.Before = trimRecords(c.Before, d, before, in, mask, personal)
		c.After = trimRecords(c.After, d, before, in, mask, personal)
		for _, rec := range slices.Concat(c.Before, c.After) {
			if rec.Member != nil {
				seenMembers[rec.Member.ID] = true
			}
		}
		c.Subjects = slices.DeleteFunc(slices.Clone(c.Subjects), func(id string) bool {
			if seen, member := seenMembers[id]; member {
				return !seen
			}
			return !in(id)
		})
		if !r.p.Everywhere() {
			cutRecords(c.Before, d)
			cutRecords(c.After, d)
		}
		out[i] = c
	}
	return out, nil
}

// leftAt is, for organisations inside the caller's scope the day before a
// date and not on it, the sequence number of the change of that day that
// took each out: the first that moved or ended it or an organisation above
// it. The changes of that day before it (in sequence) found it inside: an
// admission into a cell the same day it moves away is the former owner's.
// The day's changes are those the caller's roots' history holds, since a
// change that takes something out of a subtree lies within it. Most pages
// have nothing gone and ask nothing.
func (r *scoped) leftAt(ctx context.Context, gone []DatedID) (map[DatedID]int64, error) {
	out := map[DatedID]int64{}
	byDate := map[Date][]string{}
	for _, g := range gone {
		byDate[g.At] = append(byDate[g.At], g.ID)
	}
	for d, ids := range byDate {
		var day []Change
		for _, root := range r.p.Scope {
			q := ChangeQuery{Within: root, Since: d, Until: d + 1, First: MaxPageSize}
			for {
				page, err := r.store.Changes(ctx, q)
				if err != nil {
					return nil, err
				}
				day = append(day, page.Changes...)
				if !page.HasNext || len(page.Changes) == 0 {
					break
				}
				q.After = ChangeCursor(&page.Changes[len(page.Changes)-1])
			}
		}
		slices.SortFunc(day, func(a, b Change) int { return CompareChanges(&a, &b) })
		for _, c := range day {
			moved := movedOn(c, d)
			if len(moved) == 0 {
				continue
			}
			asks := make([]DatedID, len(ids))
			for i, id := range ids {
				asks[i] = DatedID{At: d - 1, ID: id}
			}
			under, err := r.store.CoversOn(ctx, moved, asks)
			if err != nil {
				return nil, err
			}
			var rest []string
			for i, id := range ids {
				if under[i] {
					out[DatedID{At: d, ID: id}] = c.Seq
				} else {
					rest = append(rest, id)
				}
			}
			if ids = rest; len(ids) == 0 {
				break
			}
		}
	}
	return out, nil
}

// movedOn lists the organisations change c moved to another parent or ended
// on date d, by its records of them before and after.
func movedOn(c Change, d Date) []string {
	after := map[string]*OrgRecord{}
	for _, rec := range c.After {
		if rec.Org != nil {
			after[rec.Org.ID] = rec.Org
		}
	}
	var out []string
	for _, rec := range c.Before {
		o := rec.Org
		if o == nil || after[o.ID] == nil {
			continue
		}
		was, ok := o.At(d)
		if !ok {
			continue
		}
		if now, ok := after[o.ID].At(d); !ok || now.ParentID != was.ParentID {
			out = append(out, o.ID)
		}
	}
	return out
}

// insideOn is whether an organisation counts as inside on the date of change
// c (see trimChanges). One that c has a record of before it is inside when
// seen that day or when that record puts it in force then, as one of the
// caller's roots or under a parent inside: c moved it out or ended it. Any
// other is inside when seen that day, or when it was inside the day before
// and ended that day (what follows from its end is its owner's), or moved
// out after c in the day's sequence (leftAt).
func insideOn(c Change, seen map[string]bool, roots []string, endedInside func(string) bool) func(string) bool {
	own := map[string]*OrgRecord{}
	for _, rec := range c.Before {
		if rec.Org != nil {
			own[rec.Org.ID] = rec.Org
		}
	}
	memo := map[string]bool{}
	var in func(id string) bool
	in = func(id string) bool {
		if id == "" {
			return false
		}
		if ok, done := memo[id]; done {
			return ok
		}
		memo[id] = false // a cycle in bad data ends here
		ok := seen[id]
		if o := own[id]; o != nil && !ok {
			v, found := o.At(c.EffectiveOn)
			ok = found && (slices.Contains(roots, id) || in(v.ParentID))
		} else if o == nil && !ok {
			ok = endedInside(id)
		}
		memo[id] = ok
		return ok
	}
	return in
}

// beforeOf indexes a change's records of members before it.
func beforeOf(recs []Record) map[string]*MemberRecord {
	out := map[string]*MemberRecord{}
	for _, rec := range recs {
		if rec.Member != nil {
			out[rec.Member.ID] = rec.Member
		}
	}
	return out
}

// cutRecords cuts trimmed records (copies: their slices are cloned here) to what stood on date at: facts
// that begin later are left out, those in force then show no end, and
// ratings and meetings decided later go. A record is recorded with everything known
// when its change was, which for a back-dated or planned change includes
// what later changes made of it, perhaps outside the caller's scope: those
// later changes tell it to whoever may see them.
func cutRecords(recs []Record, at Date) {
	for _, rec := range recs {
		if o := rec.Org; o != nil {
			o.Versions = cutFacts(o.Versions, at)
			o.Ratings, o.Meetings = slices.Clone(decidedBy(o.Ratings, at)), slices.Clone(decidedBy(o.Meetings, at))
		}
		if m := rec.Member; m != nil {
			m.Stints = cutFacts(m.Stints, at)
			m.Residences = cutFacts(m.Residences, at)
			m.Roles = cutFacts(m.Roles, at)
			m.Ratings = slices.Clone(decidedBy(m.Ratings, at))
			if m.OfficialOn != nil && *m.OfficialOn > at {
				m.OfficialOn = nil
			}
		}
	}
}

// cutFacts is facts as they stood on date at (see cutRecords).
func cutFacts[T any, P interface {
	*T
	spanned
}](facts []T, at Date) []T {
	facts = slices.Clone(facts)
	out := facts[:0]
	for i := range facts {
		sp := P(&facts[i]).span()
		if sp.Since > at {
			continue
		}
		if sp.Until > at {
			sp.Until = Forever
		}
		out = append(out, facts[i])
	}
	return out
}

// recordOrgs lists the organisations a record names: itself and its parents
// for an organisation; cells, residences and roles for a member.
func recordOrgs(rec Record) []string {
	var ids []string
	if o := rec.Org; o != nil {
		ids = append(ids, o.ID)
		for _, v := range o.Versions {
			ids = append(ids, v.ParentID)
		}
	}
	if m := rec.Member; m != nil {
		ids = append(ids, m.Cells()...)
		ids = append(ids, m.ResidenceCells()...)
		ids = append(ids, m.RoleOrgs()...)
	}
	return ids
}

// trimRecords copies the records of a change effective on date at that in
// says lie inside, with the references mask hides masked: a member by their
// cell that day as the change found them (before, their record before it).
func trimRecords(recs []Record, at Date, before map[string]*MemberRecord, in func(string) bool, mask func(string) string, personal bool) []Record {
	var out []Record
	for _, rec := range recs {
		switch {
		case rec.Org != nil && in(rec.Org.ID):
			o := *rec.Org
			o.Versions = slices.Clone(o.Versions)
			for i := range o.Versions {
				o.Versions[i].ParentID = mask(o.Versions[i].ParentID)
			}
			out = append(out, Record{Org: &o})
		case rec.Member != nil && in(cmp.Or(before[rec.Member.ID], rec.Member).CellOn(at)):
			m := rec.Member.Clone()
			for i := range m.Stints {
				m.Stints[i].CellID = mask(m.Stints[i].CellID)
			}
			for i := range m.Residences {
				m.Residences[i].CellID = mask(m.Residences[i].CellID)
			}
			for i := range m.Roles {
				m.Roles[i].OrgID = mask(m.Roles[i].OrgID)
			}
			if !personal {
				m.Personal = Personal{}
			}
			out = append(out, Record{Member: &m})
		}
	}
	return out
}
