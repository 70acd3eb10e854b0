package neo4j

import (
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"dangbo/internal/org"
)

// row is one record, or one map inside a record, by key.
type row = map[string]any

// decoder reads driver values into domain types and keeps the first value of
// an unexpected type, so that a record decodes straight through and is checked
// once. An absent property arrives as a missing key or nil and decodes to the
// zero value (or the given default).
type decoder struct{ err error }

func (d *decoder) fail(key string, v any, want string) {
	if d.err == nil {
		d.err = fmt.Errorf("neo4j: %s is %T, want %s", key, v, want)
	}
}

func get[T any](d *decoder, r row, key, want string) (T, bool) {
	var zero T
	v := r[key]
	if v == nil {
		return zero, false
	}
	t, ok := v.(T)
	if !ok {
		d.fail(key, v, want)
	}
	return t, ok
}

func (d *decoder) str(r row, key string) string {
	s, _ := get[string](d, r, key, "a string")
	return s
}

func (d *decoder) integer(r row, key string) int64 {
	n, _ := get[int64](d, r, key, "an integer")
	return n
}

func (d *decoder) boolean(r row, key string) bool {
	b, _ := get[bool](d, r, key, "a boolean")
	return b
}

// date reads a DATE; absent is what a missing one means: 0 for an unset
// optional date, org.Forever for the open end of a span.
func (d *decoder) date(r row, key string, absent org.Date) org.Date {
	v, ok := get[dbtype.Date](d, r, key, "a date")
	if !ok {
		return absent
	}
	return org.DateOf(v.Time())
}

// optionalDate reads a date that may be absent.
func (d *decoder) optionalDate(r row, key string) *org.Date {
	v, ok := get[dbtype.Date](d, r, key, "a date")
	if !ok {
		return nil
	}
	date := org.DateOf(v.Time())
	return &date
}

// span reads since and until.
func (d *decoder) span(r row) org.Span {
	return org.Span{Since: d.date(r, "since", 0), Until: d.date(r, "until", org.Forever)}
}

func (d *decoder) list(r row, key string) []any {
	l, _ := get[[]any](d, r, key, "a list")
	return l
}

// rows reads a list of maps.
func (d *decoder) rows(r row, key string) []row {
	var out []row
	for _, v := range d.list(r, key) {
		m, ok := v.(map[string]any)
		if !ok {
			d.fail(key, v, "a list of maps")
			return nil
		}
		out = append(out, m)
	}
	return out
}

// strings reads a list of strings.
func (d *decoder) strings(r row, key string) []string {
	var out []string
	for _, v := range d.list(r, key) {
		s, ok := v.(string)
		if !ok {
			d.fail(key, v, "a list of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

// enum reads an enumeration stored by its API name.
func (d *decoder) enum(r row, key string, into encoding.TextUnmarshaler) {
	s, ok := get[string](d, r, key, "a string")
	if !ok {
		return
	}
	if err := into.UnmarshalText([]byte(s)); err != nil && d.err == nil {
		d.err = fmt.Errorf("neo4j: %s: %w", key, err)
	}
}

// ratings reads the parallel lists ratingYears, ratingGrades and ratingDates
// (which a database of layout 2 lacks).
func (d *decoder) ratings(r row) []org.YearRating {
	years, grades := d.list(r, "ratingYears"), d.strings(r, "ratingGrades")
	if len(years) != len(grades) {
		d.fail("ratingGrades", grades, fmt.Sprintf("%d grades", len(years)))
		return nil
	}
	dates := d.decisionDates(r, "ratingDates", len(years))
	var out []org.YearRating
	for i, y := range years {
		year, ok := y.(int64)
		if !ok {
			d.fail("ratingYears", y, "a list of integers")
			return nil
		}
		rating := org.YearRating{Year: int(year), On: org.DecisionDate(int(year), dates[i])}
		if err := rating.Grade.UnmarshalText([]byte(grades[i])); err != nil && d.err == nil {
			d.err = fmt.Errorf("neo4j: ratingGrades: %w", err)
		}
		out = append(out, rating)
	}
	return out
}

// meetings reads the parallel lists meetingYears, meetingCounts and
// meetingDates (as ratings).
func (d *decoder) meetings(r row) []org.YearCount {
	years, counts := d.list(r, "meetingYears"), d.list(r, "meetingCounts")
	if len(years) != len(counts) {
		d.fail("meetingCounts", counts, fmt.Sprintf("%d counts", len(years)))
		return nil
	}
	dates := d.decisionDates(r, "meetingDates", len(years))
	var out []org.YearCount
	for i := range years {
		year, ok1 := years[i].(int64)
		count, ok2 := counts[i].(int64)
		if !ok1 || !ok2 {
			d.fail("meetingYears", years[i], "lists of integers")
			return nil
		}
		out = append(out, org.YearCount{Year: int(year), Count: int(count), On: org.DecisionDate(int(year), dates[i])})
	}
	return out
}

// decisionDates reads the n dates of key, zero (undated) where the list is
// absent.
func (d *decoder) decisionDates(r row, key string, n int) []org.Date {
	out, list := make([]org.Date, n), d.list(r, key)
	if list == nil {
		return out
	}
	if len(list) != n {
		d.fail(key, list, fmt.Sprintf("%d dates", n))
		return out
	}
	for i, v := range list {
		date, ok := v.(dbtype.Date)
		if !ok {
			d.fail(key, v, "a list of dates")
			return out
		}
		out[i] = org.DateOf(date.Time())
	}
	return out
}

// storedOrg is an organisation record with its maintained counts, as stored.
type storedOrg struct {
	org.OrgRecord
	counts []any // nil until the organisation was first counted
}

// decodeOrg reads a record of org_records.cypher.
func decodeOrg(r row) (*storedOrg, error) {
	var d decoder
	o := &storedOrg{OrgRecord: org.OrgRecord{
		ID: d.str(r, "id"), Code: d.str(r, "code"), Rev: d.integer(r, "rev"), Ratings: d.ratings(r),
		Meetings: d.meetings(r),
	}, counts: d.list(r, "counts")}
	for _, v := range d.rows(r, "versions") {
		version := org.Version{Span: d.span(v), ParentID: d.str(v, "parentId"), Name: d.str(v, "name")}
		d.enum(v, "kind", &version.Kind)
		d.enum(v, "sector", &version.Sector)
		o.Versions = append(o.Versions, version)
	}
	slices.SortFunc(o.Versions, func(a, b org.Version) int { return cmp.Compare(a.Since, b.Since) })
	return o, d.err
}

// decodeMember reads a record of member_records.cypher.
func decodeMember(r row) (*org.MemberRecord, error) {
	var d decoder
	m := &org.MemberRecord{
		ID: d.str(r, "id"), FullName: d.str(r, "fullName"),
		AdmittedOn: d.date(r, "admittedOn", 0), OfficialOn: d.optionalDate(r, "officialOn"),
		Personal: org.Personal{
			BirthDate: d.optionalDate(r, "birthDate"), Ethnicity: d.str(r, "ethnicity"), Phone: d.str(r, "phone"),
			Email: d.str(r, "email"), Address: d.str(r, "address"),
		},
		Ratings: d.ratings(r), Rev: d.integer(r, "rev"),
	}
	d.enum(r, "gender", &m.Gender)
	d.enum(r, "theory", &m.Theory)
	for _, f := range inRecordOrder(&d, d.rows(r, "stints")) {
		m.Stints = append(m.Stints, org.Stint{Span: d.span(f), CellID: d.str(f, "orgId"), Temporary: d.boolean(f, "temporary")})
	}
	for _, f := range inRecordOrder(&d, d.rows(r, "residences")) {
		m.Residences = append(m.Residences, org.Residence{Span: d.span(f), CellID: d.str(f, "orgId")})
	}
	for _, f := range inRecordOrder(&d, d.rows(r, "roles")) {
		term := org.RoleTerm{Span: d.span(f), OrgID: d.str(f, "orgId"), HeadOfUnit: d.boolean(f, "headOfUnit")}
		d.enum(f, "role", &term.Role)
		m.Roles = append(m.Roles, term)
	}
	return m, d.err
}

// inRecordOrder sorts a member's facts by pos, their place in the record.
func inRecordOrder(d *decoder, facts []row) []row {
	slices.SortFunc(facts, func(a, b row) int { return cmp.Compare(d.integer(a, "pos"), d.integer(b, "pos")) })
	return facts
}

// idsOf reads the id column of every record.
func idsOf(recs []*n4j.Record) ([]string, error) {
	var d decoder
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = d.str(rec.AsMap(), "id")
	}
	return out, d.err
}

// records reads a list of dataset records stored as JSON.
func (d *decoder) records(r row, key string) []org.Record {
	s, ok := get[string](d, r, key, "a string")
	if !ok {
		return nil
	}
	var out []org.Record
	if err := json.Unmarshal([]byte(s), &out); err != nil && d.err == nil {
		d.err = fmt.Errorf("neo4j: %s: %w", key, err)
	}
	return out
}

// decodeChange reads a record of changes_page.cypher and the like.
func decodeChange(r row) (org.Change, error) {
	var d decoder
	c := org.Change{
		Seq: d.integer(r, "seq"), EffectiveOn: d.date(r, "effectiveOn", 0),
		Decision: org.Decision{
			Number: d.str(r, "decisionNumber"), Date: d.date(r, "decisionDate", 0), IssuerID: d.str(r, "issuerId"),
		},
		Note: d.str(r, "note"), Actor: d.str(r, "actor"),
		Subjects: d.strings(r, "subjects"), Scope: d.strings(r, "scope"),
		Before: d.records(r, "before"), After: d.records(r, "after"),
	}
	d.enum(r, "type", &c.Type)
	if at, ok := get[time.Time](&d, r, "recordedAt", "a date and time"); ok {
		c.RecordedAt = at.UTC()
	}
	return c, d.err
}

// changesOf reads every record as a change.
func changesOf(recs []*n4j.Record) ([]org.Change, error) {
	out := make([]org.Change, len(recs))
	for i, rec := range recs {
		var err error
		if out[i], err = decodeChange(rec.AsMap()); err != nil {
			return nil, err
		}
	}
	return out, nil
}
