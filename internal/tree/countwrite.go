package tree

import "dangbo/internal/org"

// RecordPut is a record a write replaces: as stored before it (nil when new)
// and as written.
type RecordPut[R any] struct{ Before, After *R }

// countsTouched are the organisations whose counts on date at a write may
// change besides their ancestors: those it puts, their parents before and
// after, and the cells its members leave or join (or whose status changes).
func countsTouched(at org.Date, orgs []RecordPut[org.OrgRecord], members []RecordPut[org.MemberRecord]) []string {
	seen := map[string]bool{"": true}
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, p := range orgs {
		add(p.After.ID, stateOn(p.Before, at).parent, stateOn(p.After, at).parent)
	}
	for _, p := range members {
		add(cellOn(p.Before, at), cellOn(p.After, at))
	}
	return out
}

// writeCounts computes, from the counts on date at before a write, those after
// it of every organisation whose counts it changes, without the rest of the
// structure: only the organisations it puts, the cells its members leave or
// join and everything above them (before or after) change, and a child that
// the write leaves alone contributes the same before and after. stored is an
// organisation's record and counts before the write (the record nil for an
// organisation that did not exist); false when the caller did not read it,
// which fails. An organisation that does not exist on at counts nothing, so
// one the write ends gets zero counts; one that appears on at (exists after
// the write, not before) must have then no child and no member the write
// leaves alone, as the domain creates and revives organisations empty.
func writeCounts(at org.Date, orgs []RecordPut[org.OrgRecord], members []RecordPut[org.MemberRecord],
	stored func(id string) (*org.OrgRecord, org.Counts, bool)) (map[string]org.Counts, error) {
	type affected struct {
		before, after countState
		counts        org.Counts // before the write; zero when it did not exist then
	}
	puts := make(map[string]RecordPut[org.OrgRecord], len(orgs))
	for _, p := range orgs {
		puts[p.After.ID] = p
	}
	all := map[string]*affected{}
	var missing string
	var visit func(id string)
	visit = func(id string) {
		if id == "" || all[id] != nil || missing != "" {
			return
		}
		rec, counts, ok := stored(id)
		p, put := puts[id]
		if !ok && !put {
			missing = id
			return
		}
		o := &affected{before: stateOn(rec, at), after: stateOn(rec, at)}
		if put {
			o.before, o.after = stateOn(p.Before, at), stateOn(p.After, at)
		}
		if o.before.exists {
			o.counts = counts
		}
		all[id] = o
		visit(o.before.parent)
		visit(o.after.parent)
	}
	for _, id := range countsTouched(at, orgs, members) {
		visit(id)
	}
	if missing != "" {
		return nil, org.Errorf(org.EInternal, "thiếu số liệu của tổ chức %q để cập nhật số đếm", missing)
	}
	// What the members written add to each cell they are in after the
	// write, less what they took from each they were in before.
	direct := map[string]*[2]int32{}
	move := func(r *org.MemberRecord, sign int32, exists func(*affected) bool) {
		cell := cellOn(r, at)
		if o := all[cell]; o != nil && exists(o) {
			if direct[cell] == nil {
				direct[cell] = &[2]int32{}
			}
			if r.OfficialOn != nil && *r.OfficialOn <= at {
				direct[cell][0] += sign
			} else {
				direct[cell][1] += sign
			}
		}
	}
	for _, p := range members {
		move(p.Before, -1, func(o *affected) bool { return o.before.exists })
		move(p.After, 1, func(o *affected) bool { return o.after.exists })
	}
	childrenBefore, childrenAfter := map[string][]string{}, map[string][]string{}
	for id, o := range all {
		if o.before.exists && o.before.parent != "" {
			childrenBefore[o.before.parent] = append(childrenBefore[o.before.parent], id)
		}
		if o.after.exists && o.after.parent != "" {
			childrenAfter[o.after.parent] = append(childrenAfter[o.after.parent], id)
		}
	}
	out := make(map[string]org.Counts, len(all))
	var after func(id string, depth int) (org.Counts, error)
	after = func(id string, depth int) (org.Counts, error) {
		if c, ok := out[id]; ok {
			return c, nil
		}
		if depth > len(all) {
			return org.Counts{}, org.Errorf(org.EInternal, "cấu trúc tổ chức có vòng lặp tại %q", id)
		}
		o := all[id]
		var c org.Counts
		if o.after.exists {
			c = o.counts
			if d := direct[id]; d != nil {
				c.DirectOfficial += d[0]
				c.Official += d[0]
				c.DirectProbationary += d[1]
				c.Probationary += d[1]
			}
			if o.before.exists {
				for _, child := range childrenBefore[id] {
					ch := all[child]
					c.MoveSubtree(ch.before.kind, ch.before.sector, &ch.counts, -1)
				}
			}
			for _, child := range childrenAfter[id] {
				sub, err := after(child, depth+1)
				if err != nil {
					return org.Counts{}, err
				}
				ch := all[child]
				c.AddSubtree(ch.after.kind, ch.after.sector, &sub)
			}
		}
		out[id] = c
		return c, nil
	}
	for id := range all {
		if _, err := after(id, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// countState is what an organisation's place in the counts is on one date.
type countState struct {
	exists bool
	parent string
	kind   org.Kind
	sector org.Sector
}

func stateOn(r *org.OrgRecord, at org.Date) countState {
	if r == nil {
		return countState{}
	}
	v, ok := r.At(at)
	return countState{exists: ok, parent: v.ParentID, kind: v.Kind, sector: v.Sector}
}

func cellOn(r *org.MemberRecord, at org.Date) string {
	if r == nil {
		return ""
	}
	return r.CellOn(at)
}
