package tree

import (
	"maps"
	"slices"

	"dangbo/internal/org"
)

// DatedCounts are counts on a date: an organisation's counts, or how they
// change on that date.
type DatedCounts struct {
	On     org.Date
	Counts org.Counts
}

// CountHistory is an organisation's counts on every date: Open after the
// last of Changes, and on any date Open less the changes after it.
type CountHistory struct {
	Open    org.Counts
	Changes []DatedCounts // by date, each how the counts change on it
}

// On is the counts on date d.
func (h CountHistory) On(d org.Date) org.Counts {
	c := h.Open
	for _, ch := range h.Changes {
		if ch.On > d {
			c.Add(ch.Counts, -1)
		}
	}
	return c
}

// WriteCountChanges computes how a write changes the counts of the
// organisations on every date, as the changes to add to their histories, by
// organisation and by date: writeCounts on each date on which the records
// written, the organisations above their cells and parents, or the histories
// of the organisations that CountsMoved change. stored is an organisation's
// record before the write (nil when it did not exist) and its history, which
// is read only for those; false when the caller did not read it, which fails.
// The caller reads the organisations of CountsReach and everything above them
// at any date.
func WriteCountChanges(orgs []RecordPut[org.OrgRecord], members []RecordPut[org.MemberRecord],
	stored func(id string) (*org.OrgRecord, CountHistory, bool)) (map[string][]DatedCounts, error) {
	moved := map[string]bool{}
	for _, p := range orgs {
		moved[p.After.ID] = CountsMoved(p)
	}
	// Every date on which the change a write makes may change.
	dates := map[org.Date]bool{}
	addSpan := func(s org.Span) {
		dates[s.Since] = true
		if s.Until != org.Forever {
			dates[s.Until] = true
		}
	}
	seen := map[string]bool{"": true}
	var visit func(r *org.OrgRecord)
	walk := func(id string) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		r, h, ok := stored(id)
		if !ok {
			return org.Errorf(org.EInternal, "thiếu số liệu của tổ chức %q để cập nhật số đếm", id)
		}
		if moved[id] {
			for _, ch := range h.Changes {
				dates[ch.On] = true
			}
		}
		visit(r)
		return nil
	}
	var err error
	visit = func(r *org.OrgRecord) {
		if r == nil {
			return
		}
		for _, v := range r.Versions {
			addSpan(v.Span)
			if e := walk(v.ParentID); e != nil && err == nil {
				err = e
			}
		}
	}
	for _, p := range orgs {
		visit(p.Before)
		visit(p.After)
		if e := walk(p.After.ID); e != nil && err == nil {
			err = e
		}
	}
	for _, p := range members {
		for _, r := range []*org.MemberRecord{p.Before, p.After} {
			if r == nil {
				continue
			}
			if r.OfficialOn != nil {
				dates[*r.OfficialOn] = true
			}
			for _, s := range r.Stints {
				addSpan(s.Span)
				if e := walk(s.CellID); e != nil && err == nil {
					err = e
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	out := map[string][]DatedCounts{}
	last := map[string]org.Counts{} // the change the write makes, on the date before
	for _, on := range slices.Sorted(maps.Keys(dates)) {
		base := map[string]org.Counts{}
		after, err := writeCounts(on, orgs, members, func(id string) (*org.OrgRecord, org.Counts, bool) {
			r, h, ok := stored(id)
			if ok && moved[id] {
				base[id] = h.On(on)
			}
			return r, base[id], ok
		})
		if err != nil {
			return nil, err
		}
		ids := slices.Collect(maps.Keys(after))
		for id := range last {
			if _, ok := after[id]; !ok {
				ids = append(ids, id) // not touched on this date: no change
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			var change org.Counts
			if c, ok := after[id]; ok {
				change = c
				b := base[id]
				change.Add(b, -1)
			}
			step := change
			prev := last[id]
			step.Add(prev, -1)
			if step != (org.Counts{}) {
				out[id] = append(out[id], DatedCounts{On: on, Counts: step})
				last[id] = change
			}
		}
	}
	return out, nil
}

// CountsMoved reports whether a write of an organisation changes, on some
// date, whether it exists or where it counts (its parent, kind or sector):
// only then do its counts before the write enter those after it.
func CountsMoved(p RecordPut[org.OrgRecord]) bool {
	key := func(r *org.OrgRecord) []org.Version {
		if r == nil {
			return nil
		}
		out := make([]org.Version, len(r.Versions))
		for i, v := range r.Versions {
			out[i] = org.Version{Span: v.Span, ParentID: v.ParentID, Kind: v.Kind, Sector: v.Sector}
		}
		return out
	}
	return !slices.Equal(key(p.Before), key(p.After))
}

// CountsReach are the organisations whose counts a write may change on some
// date besides those above them: those it puts, every parent their versions
// name and every cell its members' stints name, before and after.
func CountsReach(orgs []RecordPut[org.OrgRecord], members []RecordPut[org.MemberRecord]) []string {
	seen := map[string]bool{"": true}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, p := range orgs {
		add(p.After.ID)
		for _, r := range []*org.OrgRecord{p.Before, p.After} {
			if r != nil {
				for _, v := range r.Versions {
					add(v.ParentID)
				}
			}
		}
	}
	for _, p := range members {
		for _, r := range []*org.MemberRecord{p.Before, p.After} {
			if r != nil {
				for _, s := range r.Stints {
					add(s.CellID)
				}
			}
		}
	}
	return out
}

// CountChangesOf counts a whole dataset on every date, as each
// organisation's history: what an empty store holds after writing it. It
// sweeps the dates on which anything changes, keeping one Tree.
func CountChangesOf(orgs []*org.OrgRecord, members []*org.MemberRecord) (map[string]CountHistory, error) {
	orgsOn, membersOn := map[org.Date][]*org.OrgRecord{}, map[org.Date][]*org.MemberRecord{}
	children := map[string][]*org.OrgRecord{} // every organisation that ever was a child of one
	for _, r := range orgs {
		var on []org.Date
		for _, v := range r.Versions {
			if v.ParentID != "" && !slices.Contains(children[v.ParentID], r) {
				children[v.ParentID] = append(children[v.ParentID], r)
			}
			on = append(on, v.Since)
			if v.Until != org.Forever {
				on = append(on, v.Until)
			}
		}
		slices.Sort(on)
		for _, d := range slices.Compact(on) {
			orgsOn[d] = append(orgsOn[d], r)
		}
	}
	for _, m := range members {
		var on []org.Date
		if m.OfficialOn != nil {
			on = append(on, *m.OfficialOn)
		}
		for _, s := range m.Stints {
			on = append(on, s.Since)
			if s.Until != org.Forever {
				on = append(on, s.Until)
			}
		}
		slices.Sort(on)
		for _, d := range slices.Compact(on) {
			membersOn[d] = append(membersOn[d], m)
		}
	}
	dates := slices.Sorted(maps.Keys(orgsOn))
	dates = slices.Compact(slices.Sorted(slices.Values(append(dates, slices.Collect(maps.Keys(membersOn))...))))
	tree := New(0)
	direct := map[string][2]int32{}
	out := map[string]CountHistory{}
	for _, on := range dates {
		// The organisations whose counts may change on this date: those
		// that change and the cells members leave or join, with the
		// organisations above them before and after.
		touched := map[string]bool{}
		above := func(id string) {
			for _, o := range tree.Path(id) {
				touched[o.ID] = true
			}
		}
		cells := map[string]bool{}
		for _, m := range membersOn[on] {
			for _, d := range []org.Date{on - 1, on} {
				cell := m.CellOn(d)
				c := direct[cell]
				i := 1
				if m.OfficialOn != nil && *m.OfficialOn <= d {
					i = 0
				}
				if cell != "" {
					if d == on {
						c[i]++
					} else {
						c[i]--
					}
					direct[cell] = c
					cells[cell] = true
				}
			}
		}
		for _, r := range orgsOn[on] {
			above(r.ID)
		}
		for id := range cells {
			above(id)
		}
		for _, r := range orgsOn[on] {
			o, ok := r.OrgAt(on)
			switch {
			case ok && !tree.Has(r.ID):
				// It appears: the Tree links a child whose parent it
				// lacks as a root, so children set before it are set again.
				tree.Set(o)
				cells[r.ID] = true // its members
				for _, child := range children[r.ID] {
					if c, ok := child.OrgAt(on); ok && c.ParentID == r.ID && tree.Has(c.ID) {
						tree.Remove(c.ID)
						tree.Set(c)
						cells[c.ID] = true
					}
				}
			case ok:
				tree.Set(o)
			default:
				tree.Remove(r.ID)
			}
			touched[r.ID] = true
		}
		for id := range cells {
			c := direct[id]
			tree.SetDirect(id, c[0], c[1])
		}
		if err := tree.Recount(); err != nil {
			return nil, err
		}
		for id := range cells {
			above(id)
		}
		for _, r := range orgsOn[on] {
			above(r.ID)
		}
		for id := range touched {
			o, _ := tree.Get(id)
			h := out[id]
			step := o.Counts
			step.Add(h.Open, -1)
			if step != (org.Counts{}) {
				h.Changes = append(h.Changes, DatedCounts{On: on, Counts: step})
				h.Open = o.Counts
				out[id] = h
			}
		}
	}
	return out, nil
}
