package org

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// A decision recorded late takes effect before changes already recorded for
// later dates. It may change what those dates inherit, but not what a later
// change did: where a record it writes changed on a later date, the same
// facets must still change there from the same state into the same one.
// Otherwise the history would say one thing and the store another (a
// commune merged into B today, then into C back-dated: B's children would
// leave it today with no change saying so).
//
// A change is a record's facets changing on its effective date; the check
// compares each record an operation writes, as it was and as it leaves it,
// on both sides of every later date the record changes on.

// facets is what the history's changes change in a record on one date:
// first its existence, then where it is (an organisation's parent, a
// member's cell), then the rest.
type facets [6]string

const placeFacet = 1

func orgFacets(r *OrgRecord, d Date) facets {
	v, ok := r.At(d)
	if !ok {
		return facets{}
	}
	return facets{"exists", v.ParentID, v.Name, v.Kind.String(), v.Sector.String()}
}

func memberFacets(r *MemberRecord, d Date) facets {
	var f facets
	if cell := r.CellOn(d); cell != "" {
		f[0], f[1], f[2] = "member", cell, r.StatusOn(d).String()
	}
	f[3] = r.ResidenceOn(d)
	var roles, temporary []string
	for _, t := range r.Roles {
		if t.Holds(d) {
			roles = append(roles, t.OrgID+"/"+t.Role.String())
		}
	}
	for _, s := range r.Stints {
		if s.Temporary && s.Holds(d) {
			temporary = append(temporary, s.CellID)
		}
	}
	slices.Sort(roles)
	f[4], f[5] = strings.Join(roles, ","), strings.Join(temporary, ",")
	return f
}

// recordDates lists the dates on which a record may change.
func recordDates(r Record) []Date {
	var ds []Date
	add := func(s Span) { ds = append(ds, s.Since, s.Until) }
	switch {
	case r.Org != nil:
		for _, v := range r.Org.Versions {
			add(v.Span)
		}
	case r.Member != nil:
		for _, t := range r.Member.ties() {
			add(t.span)
		}
		if r.Member.OfficialOn != nil {
			ds = append(ds, *r.Member.OfficialOn)
		}
	}
	slices.Sort(ds)
	return slices.Compact(ds)
}

func facetsOf(r Record, d Date) facets {
	if r.Org != nil {
		return orgFacets(r.Org, d)
	}
	return memberFacets(r.Member, d)
}

// changeReader reads the history: the transaction an operation runs in.
type changeReader interface {
	Changes(ctx context.Context, q ChangeQuery) (ChangePage, error)
}

// keepsLater refuses, with CONFLICT naming the decision, an operation that
// would make a change recorded for a later date untrue.
func (op *operation) keepsLater() error {
	for _, id := range op.order {
		before, ok := op.before[id]
		if !ok {
			continue // created by this operation: nothing later holds it
		}
		after := op.after[id]
		for _, t := range recordDates(before) {
			if t <= op.at || t == Forever {
				continue
			}
			was, is := facetsOf(before, t-1), facetsOf(before, t)
			nowWas, nowIs := facetsOf(after, t-1), facetsOf(after, t)
			// What a later change made of a facet must stand, and still be a
			// change (a late transfer to where a later one moves it would
			// leave that one moving nothing, and invisible to the next late
			// decision). Where it ended or began an existence, or moved
			// something from where it was, that must stand too: a merger
			// moves the cells of the commune merged, not a cell a late
			// decision moved elsewhere. A later rename still renames,
			// whatever the name was before.
			for i := range was {
				if was[i] != is[i] && (nowIs[i] != is[i] || nowWas[i] == nowIs[i] || i <= placeFacet && nowWas[i] != was[i]) {
					return op.contradicts(before, t)
				}
			}
		}
		// Changes whose net effect left no trace in the record (moved
		// there and back on one day) still say that it existed then.
		dates, err := laterDates(op.ctx, op.history, before, op.at)
		if err != nil {
			return err
		}
		for _, t := range dates {
			if facetsOf(before, t-1)[0] != facetsOf(after, t-1)[0] || facetsOf(before, t)[0] != facetsOf(after, t)[0] {
				return op.contradicts(before, t)
			}
		}
	}
	return nil
}

// laterDates lists the effective dates, after at, of the recorded changes
// that wrote record r: they lie within the organisation, or within the cells
// the member is in after at.
func laterDates(ctx context.Context, history changeReader, r Record, at Date) ([]Date, error) {
	var within []string
	if r.Org != nil {
		within = []string{r.Org.ID}
	} else {
		for _, s := range r.Member.Stints {
			if s.Until > at {
				within = append(within, s.CellID)
			}
		}
	}
	id := r.ID()
	var dates []Date
	slices.Sort(within)
	for _, w := range slices.Compact(within) {
		q := ChangeQuery{Within: w, Since: at + 1, First: MaxPageSize}
		for {
			page, err := history.Changes(ctx, q)
			if err != nil {
				return nil, err
			}
			for i := range page.Changes {
				c := &page.Changes[i]
				if slices.ContainsFunc(c.After, func(a Record) bool { return a.ID() == id }) {
					dates = append(dates, c.EffectiveOn)
				}
			}
			if !page.HasNext || len(page.Changes) == 0 {
				break
			}
			q.After = ChangeCursor(&page.Changes[len(page.Changes)-1])
		}
	}
	slices.Sort(dates)
	return slices.Compact(dates), nil
}

// contradicts is the CONFLICT of an operation that would make untrue what
// record r became on date t, naming the recorded change that made it so.
func (op *operation) contradicts(r Record, t Date) error {
	return Errorf(EConflict, "%s có hiệu lực từ %s đã thay đổi %s; thao tác có hiệu lực từ %s sẽ làm thay đổi đó không còn đúng. "+
		"Hãy ghi nhận các quyết định theo đúng trình tự thời gian", op.decisionOn(r, t), t, recordLabel(r, t), op.at)
}

// recordLabel names record r as it stood around date t.
func recordLabel(r Record, t Date) string {
	if r.Member != nil {
		return "đảng viên " + Quoted(r.Member.FullName)
	}
	name := r.Org.nameOn(t - 1)
	if _, ok := r.Org.At(t - 1); !ok {
		name = r.Org.nameOn(t)
	}
	return "tổ chức " + Quoted(name)
}

// decisionOn names the decision of the recorded change that wrote record r
// on date t, as "quyết định số … ngày …", when the history has it.
func (op *operation) decisionOn(r Record, t Date) string {
	within := r.ID()
	if r.Member != nil {
		within = cmp.Or(r.Member.CellOn(t-1), r.Member.CellOn(t))
	}
	c := laterChange(op.ctx, op.history, r, within, t)
	if c == nil || c.Decision.Number == "" {
		return "một quyết định đã ghi nhận"
	}
	d := "quyết định số " + c.Decision.Number
	if c.Decision.Date != 0 {
		d += " ngày " + c.Decision.Date.String()
	}
	return d
}

// laterChange finds the change effective on t that wrote record r.
func laterChange(ctx context.Context, history changeReader, r Record, within string, t Date) *Change {
	if within == "" {
		return nil
	}
	id := r.ID()
	page, err := history.Changes(ctx, ChangeQuery{Within: within, Since: t, Until: t + 1, First: MaxPageSize})
	if err != nil {
		return nil // the message names the decision when it can
	}
	for i := range page.Changes {
		if slices.ContainsFunc(page.Changes[i].After, func(a Record) bool { return a.ID() == id }) {
			return &page.Changes[i]
		}
	}
	return nil
}

func (r Record) ID() string {
	switch {
	case r.Org != nil:
		return r.Org.ID
	case r.Member != nil:
		return r.Member.ID
	}
	return ""
}

// Quoted is s between guillemets, as messages name what they are about.
func Quoted(s string) string { return "«" + s + "»" }

// VerifyHistory checks that a dataset's history agrees with its records on
// every date in dates: for each record and each facet, the record on a date
// is what the last change in effective-date order (then sequence) that
// changed that facet, effective on or before the date, left it; before any,
// what the first change found. It is the promise keepsLater keeps, and the
// first disagreement is its error.
func VerifyHistory(recs []Record, history []Change, dates []Date) error {
	byID := map[string]Record{}
	for _, r := range recs {
		if id := r.ID(); id != "" {
			byID[id] = r
		}
	}
	touching := map[string][]*Change{}
	ordered := make([]*Change, len(history))
	for i := range history {
		ordered[i] = &history[i]
	}
	slices.SortFunc(ordered, CompareChanges)
	for _, c := range ordered {
		for _, a := range c.After {
			touching[a.ID()] = append(touching[a.ID()], c)
		}
	}
	for id, cs := range touching {
		store, ok := byID[id]
		if !ok {
			return Errorf(EInternal, "lịch sử ghi nhận %s nhưng dữ liệu không có", id)
		}
		initial := Record{}
		if first := slices.MinFunc(cs, func(a, b *Change) int { return cmp.Compare(a.Seq, b.Seq) }); first != nil {
			initial = recordIn(first.Before, id)
		}
		for _, d := range dates {
			got := facetsOf(store, d)
			for i := range got {
				want := facetsOfOrNone(initial, d)[i]
				for _, c := range cs {
					if c.EffectiveOn > d {
						break
					}
					if changedFacet(recordIn(c.Before, id), recordIn(c.After, id), c.EffectiveOn, i) {
						want = facetsOfOrNone(recordIn(c.After, id), d)[i]
					}
				}
				if got[i] != want {
					return Errorf(EInternal, "%s vào ngày %s: %q trong dữ liệu, %q theo lịch sử", id, d, got[i], want)
				}
			}
		}
	}
	return nil
}

func recordIn(recs []Record, id string) Record {
	for _, r := range recs {
		if r.ID() == id {
			return r
		}
	}
	return Record{}
}

func facetsOfOrNone(r Record, d Date) facets {
	if r.ID() == "" {
		return facets{}
	}
	return facetsOf(r, d)
}

// changedFacet reports whether a change made facet i of a record other than
// it was, on its effective date or any date after.
func changedFacet(before, after Record, from Date, i int) bool {
	dates := append(recordDates(after), from)
	if before.ID() != "" {
		dates = append(dates, recordDates(before)...)
	}
	for _, d := range dates {
		if d >= from && d != Forever && facetsOfOrNone(before, d)[i] != facetsOfOrNone(after, d)[i] {
			return true
		}
	}
	return false
}
