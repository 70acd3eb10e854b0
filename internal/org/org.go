package org

import "sort"

// Org is an organisation as it stands on one date, with the counts of its
// subtree on that date.
type Org struct {
	ID       string
	Code     string
	Name     string
	Kind     Kind
	Sector   Sector
	ParentID string // empty for a root
	// Since is the start of the version in force; EstablishedOn and EndedOn
	// bound the organisation's whole existence.
	Since         Date
	EstablishedOn Date
	EndedOn       Date // Forever while it exists
	Ratings       []YearRating
	Meetings      []YearCount // thematic meetings by year
	Counts        Counts
}

// Version is the state of an organisation over one span of time: a rename, a
// transfer or a change of kind ends one version and starts the next.
type Version struct {
	Span
	ParentID string `json:"parentId,omitempty"`
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	Sector   Sector `json:"sector"`
}

// OrgRecord is the whole history of one organisation: what a store keeps.
type OrgRecord struct {
	ID       string       `json:"id"`
	Code     string       `json:"code,omitempty"`
	Versions []Version    `json:"versions"` // by Since, not overlapping
	Ratings  []YearRating `json:"ratings,omitempty"`
	// Meetings are a cell's thematic meetings (sinh hoạt chuyên đề) of each
	// year recorded, by year.
	Meetings []YearCount `json:"meetings,omitempty"`
	Rev      int64       `json:"rev,omitempty"` // bumped by every write, for optimistic concurrency
}

// YearRating is the quality rating of one year, as one decision gave it.
type YearRating struct {
	Year  int   `json:"year"`
	Grade Grade `json:"grade"`
	// On is the effective date of the decision (see yearly.go).
	On Date `json:"on,omitempty"`
}

// At is the version in force on date d.
func (r *OrgRecord) At(d Date) (Version, bool) {
	i := sort.Search(len(r.Versions), func(i int) bool { return r.Versions[i].Until > d })
	if i < len(r.Versions) && r.Versions[i].Holds(d) {
		return r.Versions[i], true
	}
	return Version{}, false
}

// Established is the first date the organisation existed.
func (r *OrgRecord) Established() Date {
	if len(r.Versions) == 0 {
		return Forever
	}
	return r.Versions[0].Since
}

// Ended is the date the organisation stopped existing, Forever while it exists.
func (r *OrgRecord) Ended() Date {
	if len(r.Versions) == 0 {
		return Forever
	}
	return r.Versions[len(r.Versions)-1].Until
}

// covers reports whether the organisation exists on every date of s.
func (r *OrgRecord) covers(s Span) bool {
	d := s.Since
	for _, v := range r.Versions {
		if v.Until <= d {
			continue
		}
		if v.Since > d {
			return false
		}
		if d = v.Until; d >= s.Until {
			return true
		}
	}
	return false
}

// OrgAt is the organisation's state on date d, without counts.
func (r *OrgRecord) OrgAt(d Date) (Org, bool) {
	v, ok := r.At(d)
	if !ok {
		return Org{}, false
	}
	return Org{
		ID: r.ID, Code: r.Code, Name: v.Name, Kind: v.Kind, Sector: v.Sector, ParentID: v.ParentID,
		Since: v.Since, EstablishedOn: r.Established(), EndedOn: endedAsOf(r.Ended(), d), Ratings: decidedBy(r.Ratings, d),
		Meetings: decidedBy(r.Meetings, d),
	}, true
}

// endedAsOf is an organisation's end as a read of date d shows it: only once
// d is its last day. A later end was decided later, perhaps by a committee
// it has since moved to, which a reader of d may not see; the history tells
// it to those who may.
func endedAsOf(end, d Date) Date {
	if end > d+1 {
		return Forever
	}
	return end
}

// Rating is the grade of the given year, if one was recorded.
func (r *OrgRecord) Rating(year int) (Grade, bool) { return ratingOf(r.Ratings, year) }

// ratingOf is the grade of year in rs: in a record's, the latest decided.
func ratingOf(rs []YearRating, year int) (g Grade, ok bool) {
	for _, y := range rs {
		if y.Year == year {
			g, ok = y.Grade, true
		}
	}
	return g, ok
}

// Clone returns a copy that shares no slices with r, for a write to change.
func (r OrgRecord) Clone() OrgRecord {
	r.Versions = append([]Version(nil), r.Versions...)
	r.Ratings = append([]YearRating(nil), r.Ratings...)
	r.Meetings = append([]YearCount(nil), r.Meetings...)
	return r
}

// Counts are what a chart badge or a statistics query shows of an organisation
// on one date. Member counts include the organisation's own members; kind and
// sector counts cover the organisations below it, not itself.
type Counts struct {
	Children           int32
	DirectOfficial     int32
	DirectProbationary int32
	Official           int32
	Probationary       int32
	ByKind             [NumKinds]int32
	CellsBySector      [NumSectors]int32
}

// DirectMembers is the number of members whose cell is the organisation itself.
func (c Counts) DirectMembers() int32 { return c.DirectOfficial + c.DirectProbationary }

// Members is the number of members in the subtree, each counted once by their cell.
func (c Counts) Members() int32 { return c.Official + c.Probationary }

// Orgs is the number of organisations below.
func (c Counts) Orgs() int32 {
	var n int32
	for _, k := range c.ByKind {
		n += k
	}
	return n
}

// Grassroots is the number of grassroots organisations below.
func (c Counts) Grassroots() int32 {
	return c.ByKind[GrassrootsCommittee] + c.ByKind[GrassrootsCell]
}

// AddSubtree adds what child (of the given kind and sector, with counts sub)
// contributes to its parent's counts.
func (c *Counts) AddSubtree(kind Kind, sector Sector, sub *Counts) {
	c.MoveSubtree(kind, sector, sub, 1)
}

// MoveSubtree adds (sign 1) or takes back (-1) what a child contributes.
func (c *Counts) MoveSubtree(kind Kind, sector Sector, sub *Counts, sign int32) {
	c.Children += sign
	c.Official += sign * sub.Official
	c.Probationary += sign * sub.Probationary
	c.ByKind[kind] += sign
	for k, n := range sub.ByKind {
		c.ByKind[k] += sign * n
	}
	if kind == Cell {
		c.CellsBySector[sector] += sign
	}
	for s, n := range sub.CellsBySector {
		c.CellsBySector[s] += sign * n
	}
}

// Add adds o to c, times sign.
func (c *Counts) Add(o Counts, sign int32) {
	c.Children += sign * o.Children
	c.DirectOfficial += sign * o.DirectOfficial
	c.DirectProbationary += sign * o.DirectProbationary
	c.Official += sign * o.Official
	c.Probationary += sign * o.Probationary
	for k, n := range o.ByKind {
		c.ByKind[k] += sign * n
	}
	for s, n := range o.CellsBySector {
		c.CellsBySector[s] += sign * n
	}
}

// nameOn is the organisation's name on date d, or its first name.
func (r *OrgRecord) nameOn(d Date) string {
	if v, ok := r.At(d); ok {
		return v.Name
	}
	if len(r.Versions) > 0 {
		return r.Versions[0].Name
	}
	return ""
}
