package org

import "slices"

// Operations take effect on a date that may lie in the past (a decision
// recorded late) or the future (a planned change). They edit a record's
// history from that date on, so that every date reads right: a change holds
// from its effective date until the next change of the same thing already
// recorded, never overwriting it.

// reviseFrom applies set to the organisation from date d on: the version in
// force on d is split at d, and set changes it and each following version
// that still shows, in what same compares, the state d had.
func (r *OrgRecord) reviseFrom(d Date, same func(a, b *Version) bool, set func(*Version)) error {
	i := r.splitAt(d)
	if i < 0 {
		return Errorf(ENotFound, "tổ chức %q không tồn tại vào ngày %s", r.ID, d)
	}
	old := r.Versions[i]
	for j := i; j < len(r.Versions); j++ {
		if j > i && (r.Versions[j].Since != r.Versions[j-1].Until || !same(&r.Versions[j], &old)) {
			break
		}
		set(&r.Versions[j])
	}
	r.Versions = joinVersions(r.Versions)
	return nil
}

// splitAt makes d the start of a version and returns its index, -1 when the
// organisation does not exist on d.
func (r *OrgRecord) splitAt(d Date) int {
	i := slices.IndexFunc(r.Versions, func(v Version) bool { return v.Holds(d) })
	if i < 0 || r.Versions[i].Since == d {
		return i
	}
	later := r.Versions[i]
	later.Since = d
	r.Versions[i].Until = d
	r.Versions = slices.Insert(r.Versions, i+1, later)
	return i + 1
}

// joinVersions merges neighbouring versions that differ only in their spans.
func joinVersions(vs []Version) []Version {
	out := vs[:0]
	for _, v := range vs {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Until == v.Since && last.ParentID == v.ParentID && last.Name == v.Name &&
				last.Kind == v.Kind && last.Sector == v.Sector {
				last.Until = v.Until
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// endAt ends the organisation on date d: nothing of it holds from d on.
func (r *OrgRecord) endAt(d Date) {
	r.Versions = slices.DeleteFunc(r.Versions, func(v Version) bool { return v.Since >= d })
	if n := len(r.Versions); n > 0 && r.Versions[n-1].Until > d {
		r.Versions[n-1].Until = d
	}
}

// MoveFrom moves the member's official activity to cell from date d on,
// until the next recorded move, ending a residence link with that cell (R6:
// never one's own cell); false when they are not a member on d.
func (r *MemberRecord) MoveFrom(d Date, cell string) bool {
	i := slices.IndexFunc(r.Stints, func(s Stint) bool { return !s.Temporary && s.Holds(d) })
	if i < 0 {
		return false
	}
	if r.Stints[i].CellID == cell {
		return true
	}
	if r.Stints[i].Since < d {
		later := r.Stints[i]
		later.Since = d
		r.Stints[i].Until = d
		r.Stints = slices.Insert(r.Stints, i+1, later)
		i++
	}
	r.Stints[i].CellID = cell
	if r.ResidenceOn(d) == cell {
		r.Residences = endFacts(r.Residences, d, func(s *Residence) bool { return s.CellID == cell })
	}
	return true
}

// EndResidence ends on date d the member's residence link.
func (r *MemberRecord) EndResidence(d Date) {
	r.Residences = endFacts(r.Residences, d, func(*Residence) bool { return true })
}

// leaveFrom ends, on date d, every stint, residence link and role the member
// has in organisation id; with id empty, all of them: the member leaves the Party.
func (r *MemberRecord) leaveFrom(d Date, id string) {
	in := func(org string) bool { return id == "" || org == id }
	r.Stints = endFacts(r.Stints, d, func(s *Stint) bool { return in(s.CellID) })
	r.Residences = endFacts(r.Residences, d, func(s *Residence) bool { return in(s.CellID) })
	r.Roles = endFacts(r.Roles, d, func(t *RoleTerm) bool { return in(t.OrgID) })
}

// tie is a member's stint, residence link or role: a span in an organisation.
type tie struct {
	org  string
	span Span
}

// ties lists the member's stints, residence links and roles.
func (r *MemberRecord) ties() []tie {
	out := make([]tie, 0, len(r.Stints)+len(r.Residences)+len(r.Roles))
	for _, s := range r.Stints {
		out = append(out, tie{s.CellID, s.Span})
	}
	for _, s := range r.Residences {
		out = append(out, tie{s.CellID, s.Span})
	}
	for _, t := range r.Roles {
		out = append(out, tie{t.OrgID, t.Span})
	}
	return out
}

// tiedAfter reports whether the member has a tie to organisation id that
// holds on date d or later.
func (r *MemberRecord) tiedAfter(id string, d Date) bool {
	return slices.ContainsFunc(r.ties(), func(t tie) bool { return t.org == id && t.span.Until > d })
}

// plannedIn reports whether the member has a tie to organisation id that
// begins on date d or later, and when.
func (r *MemberRecord) plannedIn(id string, d Date) (Date, bool) {
	for _, t := range r.ties() {
		if t.org == id && t.span.Since >= d {
			return t.span.Since, true
		}
	}
	return 0, false
}

// spanned is a fact with a span.
type spanned interface{ span() *Span }

func (s *Span) span() *Span { return s }

// endFacts ends on date d the facts that match: one in force then ends on d,
// one that would begin on d or later never holds.
func endFacts[T any, P interface {
	*T
	spanned
}](facts []T, d Date, match func(P) bool) []T {
	out := facts[:0]
	for i := range facts {
		f := P(&facts[i])
		if match(f) {
			sp := f.span()
			if sp.Since >= d {
				continue
			}
			sp.Until = min(sp.Until, d)
		}
		out = append(out, facts[i])
	}
	return out
}

// onlyResidesIn reports whether the member's only ties to organisation id
// on date d or later are residence links.
func (r *MemberRecord) onlyResidesIn(id string, d Date) bool {
	for _, s := range r.Stints {
		if s.CellID == id && s.Until > d {
			return false
		}
	}
	for _, t := range r.Roles {
		if t.OrgID == id && t.Until > d {
			return false
		}
	}
	return true
}
