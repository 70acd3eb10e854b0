package org

import (
	"maps"
	"slices"
)

// A decision recorded late that moves an organisation changes where the
// changes already recorded for later dates in its subtree lie: each was
// recorded with the ancestors, on its date, of what it touched (its Scope),
// and the history selects by them. rescopeLater recomputes those scopes
// against the store as the operation leaves it, in its transaction, so
// that the new owner's history lists them and the former owner's does not.
// A change that touched other things too keeps their ancestors; a change
// dated after the organisation moved on again (a later decision already
// recorded) lies outside the span the decision moved, and keeps its scope.

// rescopeLater rewrites the scopes of the changes effective after the
// operation's date that lie in a subtree it moved on their date. The same
// day's changes were recorded before it, and stay before it.
func (op *operation) rescopeLater() error {
	moved := map[string]*OrgRecord{} // as the operation leaves them
	was := map[string]*OrgRecord{}   // as it found them
	for _, o := range append([]*operation{op}, op.asides...) {
		for id, b := range o.before {
			if a := o.after[id].Org; b.Org != nil && a != nil && movesLater(b.Org, a, op.at) {
				moved[id], was[id] = a, b.Org
			}
		}
	}
	if len(moved) == 0 {
		return nil
	}
	movedOn := func(id string, d Date) bool {
		b, a := was[id], moved[id]
		return b != nil && parentOn(b, d) != parentOn(a, d)
	}
	// The changes within each organisation moved, each once.
	found := map[int64]Change{}
	for _, id := range slices.Sorted(maps.Keys(moved)) {
		q := ChangeQuery{Within: id, Since: op.at + 1, First: MaxPageSize}
		for {
			page, err := op.history.Changes(op.ctx, q)
			if err != nil {
				return err
			}
			for _, c := range page.Changes {
				if movedOn(id, c.EffectiveOn) {
					found[c.Seq] = c
				}
			}
			if !page.HasNext || len(page.Changes) == 0 {
				break
			}
			q.After = ChangeCursor(&page.Changes[len(page.Changes)-1])
		}
	}
	var rescoped []Change
	above := map[DatedID][]string{}    // ancestors, walked once a date
	current := map[string]*OrgRecord{} // as the store now has them
	for _, seq := range slices.Sorted(maps.Keys(found)) {
		c := found[seq]
		touched, err := placedNow(op, &c, current)
		if err != nil {
			return err
		}
		scope, err := scopeOn(c.EffectiveOn, touched, func(id string) ([]string, error) {
			at := DatedID{At: c.EffectiveOn, ID: id}
			if up, ok := above[at]; ok {
				return up, nil
			}
			up, err := ancestorsOn(op.ctx, op.tx, id, at.At)
			above[at] = up
			return up, err
		})
		if err != nil {
			return err
		}
		if !slices.Equal(scope, c.Scope) {
			c.Scope = scope
			rescoped = append(rescoped, c)
		}
	}
	if len(rescoped) == 0 {
		return nil
	}
	return op.tx.Rescope(op.ctx, rescoped)
}

// movesLater reports whether an organisation's parent differs, on some date
// after at, between its records before and after: parents change only where
// a version of either begins or ends.
func movesLater(before, after *OrgRecord, at Date) bool {
	dates := []Date{at + 1}
	for _, r := range []*OrgRecord{before, after} {
		for _, v := range r.Versions {
			dates = append(dates, v.Since, v.Until)
		}
	}
	return slices.ContainsFunc(dates, func(d Date) bool {
		return d > at && d != Forever && parentOn(before, d) != parentOn(after, d)
	})
}

// parentOn is an organisation's parent on date d, empty when it does not
// exist then.
func parentOn(r *OrgRecord, d Date) string {
	if v, ok := r.At(d); ok {
		return v.ParentID
	}
	return ""
}

// placedNow is what change c touched, each organisation it did not move
// (nor begin or end) on its date placed as the store now has it: the
// change's own copy places it where it was when recorded, before the moves
// recorded since by late decisions (this operation's, an earlier one's in
// the same transaction, or another's: a cell moved into a commune, then the
// commune moved). What the change moved stays as it says: from where and to
// where, which no later decision may contradict (keepsLater).
func placedNow(op *operation, c *Change, current map[string]*OrgRecord) ([]touch, error) {
	before := map[string]Record{}
	for _, r := range c.Before {
		before[r.ID()] = r
	}
	out := make([]touch, 0, len(c.After))
	for _, a := range c.After {
		t := touch{before[a.ID()], a}
		if b := t.before.Org; b != nil && a.Org != nil && parentOn(b, c.EffectiveOn) == parentOn(a.Org, c.EffectiveOn) {
			now := current[a.Org.ID]
			if now == nil {
				rec, err := op.tx.Org(op.ctx, a.Org.ID)
				if err != nil {
					return nil, err
				}
				now = &rec
				current[a.Org.ID] = now
			}
			t.before.Org, t.after.Org = now, now
		}
		out = append(out, t)
	}
	return out, nil
}
