package org

import (
	"sort"
	"strings"
)

// Member is a party member as they stand on one date.
type Member struct {
	ID         string
	FullName   string
	Gender     Gender
	Status     MemberStatus
	AdmittedOn Date
	OfficialOn *Date // nil while on probation
	Theory     Theory
	// CellID is the member's official cell on the date; ResidenceCellID the
	// village or residential-group cell they keep a residence link with, if any.
	CellID          string
	ResidenceCellID string
	// ResidenceEndedOn is when the member's last residence link ended, when
	// they have had none since; zero otherwise.
	ResidenceEndedOn Date
	Roles            []RoleTerm // held on the date
	Ratings          []YearRating
	Personal         Personal
}

// Personal holds the fields that identify a member as a person; access control
// hides them from roles that may read only the structure.
type Personal struct {
	BirthDate *Date  `json:"birthDate,omitempty"`
	Ethnicity string `json:"ethnicity,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	Address   string `json:"address,omitempty"` // residence address
}

// Stint is a member's party activity in one cell over a span. A temporary
// stint (sinh hoạt tạm thời) does not move where the member is counted.
type Stint struct {
	Span
	CellID    string `json:"cellId"`
	Temporary bool   `json:"temporary,omitempty"`
}

// Residence is a link to the cell where a working member lives (Quy định 213-QĐ/TW).
type Residence struct {
	Span
	CellID string `json:"cellId"`
}

// RoleTerm is a leadership role held in an organisation over a span.
// HeadOfUnit marks a secretary who also heads the agency, unit or village the
// organisation belongs to (bí thư đồng thời là thủ trưởng, trưởng thôn).
type RoleTerm struct {
	Span
	OrgID      string `json:"orgId"`
	Role       Role   `json:"role"`
	HeadOfUnit bool   `json:"headOfUnit,omitempty"`
}

// MemberRecord is the whole history of one member: what a store keeps.
type MemberRecord struct {
	ID         string       `json:"id"`
	FullName   string       `json:"fullName"`
	Gender     Gender       `json:"gender"`
	AdmittedOn Date         `json:"admittedOn"`
	OfficialOn *Date        `json:"officialOn,omitempty"` // nil until confirmed
	Theory     Theory       `json:"theory"`
	Personal   Personal     `json:"personal"`
	Stints     []Stint      `json:"stints"` // by Since
	Residences []Residence  `json:"residences,omitempty"`
	Roles      []RoleTerm   `json:"roles,omitempty"`
	Ratings    []YearRating `json:"ratings,omitempty"`
	Rev        int64        `json:"rev,omitempty"`
}

// StatusOn is the member's status on date d.
func (r *MemberRecord) StatusOn(d Date) MemberStatus {
	if r.OfficialOn != nil && *r.OfficialOn <= d {
		return Official
	}
	return Probationary
}

// CellOn is the member's official (counted) cell on date d, empty when they
// were not a member then.
func (r *MemberRecord) CellOn(d Date) string {
	for i := len(r.Stints) - 1; i >= 0; i-- {
		if s := r.Stints[i]; !s.Temporary && s.Holds(d) {
			return s.CellID
		}
	}
	return ""
}

// ResidenceOn is the cell of the residence link in force on date d, if any.
func (r *MemberRecord) ResidenceOn(d Date) string {
	for _, s := range r.Residences {
		if s.Holds(d) {
			return s.CellID
		}
	}
	return ""
}

// MemberAt is the member's state on date d; false when they were not a member then.
func (r *MemberRecord) MemberAt(d Date) (Member, bool) {
	cell := r.CellOn(d)
	if cell == "" {
		return Member{}, false
	}
	m := Member{
		ID: r.ID, FullName: r.FullName, Gender: r.Gender, Status: r.StatusOn(d),
		AdmittedOn: r.AdmittedOn, Theory: r.Theory, CellID: cell, ResidenceCellID: r.ResidenceOn(d),
		Ratings: decidedBy(r.Ratings, d), Personal: r.Personal,
	}
	for _, t := range r.Roles {
		if t.Holds(d) {
			m.Roles = append(m.Roles, t)
		}
	}
	if m.Status == Official {
		m.OfficialOn = r.OfficialOn
	}
	if m.ResidenceCellID == "" {
		for _, s := range r.Residences {
			if s.Until <= d {
				m.ResidenceEndedOn = max(m.ResidenceEndedOn, s.Until)
			}
		}
	}
	return m, true
}

// Rating is the member's grade of the given year, if one was recorded.
func (r *MemberRecord) Rating(year int) (Grade, bool) { return ratingOf(r.Ratings, year) }

// Clone returns a copy that shares no slices with r, for a write to change.
func (r MemberRecord) Clone() MemberRecord {
	r.Stints = append([]Stint(nil), r.Stints...)
	r.Residences = append([]Residence(nil), r.Residences...)
	r.Roles = append([]RoleTerm(nil), r.Roles...)
	r.Ratings = append([]YearRating(nil), r.Ratings...)
	r.OfficialOn, r.Personal.BirthDate = cloneDate(r.OfficialOn), cloneDate(r.Personal.BirthDate)
	return r
}

// OwnStrings moves the record's strings into one allocation of their own. A
// decoder may leave them pointing into its copy of the whole JSON the record
// was read from (goccy/go-json does), which they would keep alive for as long
// as the record lives: three times their size. The record must not share its
// slices with one that others read.
func (r *MemberRecord) OwnStrings() {
	var room [16]*string
	fields := append(room[:0], &r.ID, &r.FullName, &r.Personal.Ethnicity, &r.Personal.Phone, &r.Personal.Email, &r.Personal.Address)
	for i := range r.Stints {
		fields = append(fields, &r.Stints[i].CellID)
	}
	for i := range r.Residences {
		fields = append(fields, &r.Residences[i].CellID)
	}
	for i := range r.Roles {
		fields = append(fields, &r.Roles[i].OrgID)
	}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		*f, all = all[:len(*f)], all[len(*f):]
	}
}

func cloneDate(d *Date) *Date {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}

// Cells lists every cell the member was ever in, official or temporary, once each.
func (r *MemberRecord) Cells() []string {
	ids := make([]string, 0, len(r.Stints))
	for _, s := range r.Stints {
		ids = append(ids, s.CellID)
	}
	sort.Strings(ids)
	return compactStrings(ids)
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ResidenceCells are the cells of the member's residence links, on any date.
func (r *MemberRecord) ResidenceCells() []string {
	ids := make([]string, len(r.Residences))
	for i, x := range r.Residences {
		ids[i] = x.CellID
	}
	return ids
}

// RoleOrgs are the organisations of the member's roles, on any date.
func (r *MemberRecord) RoleOrgs() []string {
	ids := make([]string, len(r.Roles))
	for i, x := range r.Roles {
		ids[i] = x.OrgID
	}
	return ids
}
