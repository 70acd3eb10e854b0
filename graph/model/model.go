// Package model holds the Go types the GraphQL schema binds to: the domain's
// types with the view their answer describes (a date, and the scenario it
// assumes applied, if any), so that nested fields answer in the same view as
// their parent.
package model

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"dangbo/internal/org"
)

// Org is an organisation as it stands in a view: on date At, in the
// scenario the view names, if any.
type Org struct {
	org.Org
	org.View
}

// Code is the organisation's code, null when it has none.
func (o *Org) Code() *string { return Optional(o.Org.Code) }

// EndedOn is the day the organisation ended, null while it stands.
func (o *Org) EndedOn() *org.Date {
	if o.Org.EndedOn == org.Forever {
		return nil
	}
	return &o.Org.EndedOn
}

// Member is a member as they stand in a view.
type Member struct {
	org.Member
	org.View
}

// The personal fields read as null when empty; the domain emptied them for a
// caller who may not read them, and the @personal directive says so.

// BirthDate is the member's birth date, if recorded.
func (m *Member) BirthDate() *org.Date { return m.Personal.BirthDate }

// Ethnicity is the member's ethnic group, if recorded.
func (m *Member) Ethnicity() *string { return Optional(m.Personal.Ethnicity) }

// Phone is the member's phone number, if recorded.
func (m *Member) Phone() *string { return Optional(m.Personal.Phone) }

// Email is the member's email address, if recorded.
func (m *Member) Email() *string { return Optional(m.Personal.Email) }

// Address is the member's home address, if recorded.
func (m *Member) Address() *string { return Optional(m.Personal.Address) }

// AuditEntry is an entry of the audit log as the API shows it.
type AuditEntry struct{ org.AuditEntry }

// Roles are the names of the caller's roles.
func (e *AuditEntry) Roles() []string {
	names := make([]string, len(e.AuditEntry.Roles))
	for i, role := range e.AuditEntry.Roles {
		names[i] = role.String()
	}
	return names
}

// Address is where the request came from, if known.
func (e *AuditEntry) Address() *string { return Optional(e.AuditEntry.Address) }

// Target is what the entry acted on, if anything.
func (e *AuditEntry) Target() *string { return Optional(e.AuditEntry.Target) }

// Outcome is the error code of a refusal, null on success.
func (e *AuditEntry) Outcome() *string { return Optional(e.AuditEntry.Outcome) }

// Optional is v, or null when v is its zero value.
func Optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// OrgEdge is an organisation in a connection. Its cursor is made only when a
// client asks for it: most chart queries page by pageInfo alone.
type OrgEdge struct {
	Node *Org
	Conn string // the connection it is in (org.BindCursor)
}

// Cursor is the keyset cursor just after this organisation in its connection.
func (e *OrgEdge) Cursor() string { return org.BindCursor(e.Conn, org.ChildCursor(&e.Node.Org)) }

// MemberEdge is a member in a connection listed in Order.
type MemberEdge struct {
	Node  *Member
	Conn  string
	Order org.MemberOrder
}

// Cursor is the keyset cursor just after this member in its connection.
func (e *MemberEdge) Cursor() string {
	return org.BindCursor(e.Conn, org.OrderedMemberCursor(e.Order, &e.Node.Member))
}

// RoleTerm is a role seen in the view of its member.
type RoleTerm struct {
	org.RoleTerm
	org.View
}

func (o *Org) IsNode()          {}
func (o *Org) GetID() string    { return o.ID }
func (m *Member) IsNode()       {}
func (m *Member) GetID() string { return m.ID }

func (o *Org) IsSearchResult()    {}
func (m *Member) IsSearchResult() {}

// ChildCount, HasChildren, DirectMemberCount and MemberCount come from the
// counts the store keeps, so a chart's badges cost no extra call.
func (o *Org) ChildCount() int        { return int(o.Counts.Children) }
func (o *Org) HasChildren() bool      { return o.Counts.Children > 0 }
func (o *Org) DirectMemberCount() int { return int(o.Counts.DirectMembers()) }
func (o *Org) MemberCount() int       { return int(o.Counts.Members()) }
func (o *Org) OfficialCount() int     { return int(o.Counts.Official) }
func (o *Org) ProbationaryCount() int { return int(o.Counts.Probationary) }

// Statistics are the counts of the subtree, as of the object's date.
func (o *Org) Statistics() *Statistics {
	return &Statistics{Counts: o.Counts, AsOf: o.At, OrgID: o.ID, View: o.View}
}

// Statistics binds OrgStatistics to an organisation's counts; its
// breakdowns count the subtree of OrgID in View.
type Statistics struct {
	Counts org.Counts
	AsOf   org.Date
	OrgID  string
	View   org.View
}

func (s *Statistics) ChildCount() int    { return int(s.Counts.Children) }
func (s *Statistics) DistrictCount() int { return s.kind(org.District) }
func (s *Statistics) GrassrootsCount() int {
	return int(s.Counts.Grassroots())
}
func (s *Statistics) GrassrootsCommitteeCount() int { return s.kind(org.GrassrootsCommittee) }
func (s *Statistics) GrassrootsCellCount() int      { return s.kind(org.GrassrootsCell) }
func (s *Statistics) PartialCommitteeCount() int    { return s.kind(org.PartialCommittee) }
func (s *Statistics) CellCount() int                { return s.kind(org.Cell) }
func (s *Statistics) MemberCount() int              { return int(s.Counts.Members()) }
func (s *Statistics) OfficialCount() int            { return int(s.Counts.Official) }
func (s *Statistics) ProbationaryCount() int        { return int(s.Counts.Probationary) }

func (s *Statistics) kind(k org.Kind) int { return int(s.Counts.ByKind[k]) }

// CellsBySector lists the sectors that have cells, in sector order.
func (s *Statistics) CellsBySector() []*SectorCount {
	var out []*SectorCount
	for sector, n := range s.Counts.CellsBySector {
		if n > 0 {
			out = append(out, &SectorCount{Sector: org.Sector(sector), Count: int(n)})
		}
	}
	return out
}

// Date binds the Date scalar to org.Date.
type Date = org.Date

// MarshalDate writes a date as "YYYY-MM-DD".
func MarshalDate(d org.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads "YYYY-MM-DD".
func UnmarshalDate(v any) (org.Date, error) {
	s, ok := v.(string)
	if !ok {
		return 0, org.Errorf(org.EInvalid, "ngày phải là chuỗi dạng YYYY-MM-DD")
	}
	return org.ParseDate(s)
}

// Violation is a finding of the Charter checks in a view: its subject is
// read in the same view.
type Violation struct {
	org.Violation
	org.View
}

func (v *Violation) Rule() string           { return v.Violation.Rule.ID }
func (v *Violation) Severity() org.Severity { return v.Violation.Rule.Severity }
func (v *Violation) Basis() string          { return v.Violation.Rule.Basis }
func (v *Violation) SubjectID() string      { return v.Subject }

// OperationKey is the scenario operation that brought the finding, nil for a
// finding of the structure itself.
func (v *Violation) OperationKey() *int {
	if v.Violation.OperationKey == 0 {
		return nil
	}
	return &v.Violation.OperationKey
}
