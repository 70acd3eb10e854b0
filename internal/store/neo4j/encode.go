package neo4j

import (
	"encoding/json"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"dangbo/internal/org"
)

// dateParam is d as a Neo4j DATE, for a parameter such as the date a read is as of.
func dateParam(d org.Date) dbtype.Date { return dbtype.Date(d.Time()) }

// dateValue is d as the value of a date property: nil (no property) for the
// open end of a span.
func dateValue(d org.Date) any {
	if d == org.Forever {
		return nil
	}
	return dateParam(d)
}

// optionalDate is d as a DATE, or nil for the zero date of an unset field.
func optionalDate(d *org.Date) any {
	if d == nil {
		return nil
	}
	return dateValue(*d)
}

// optionalString is s, or nil (no property) when it is empty.
func optionalString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ratingValues are the parallel lists ratingYears, ratingGrades and
// ratingDates, nil when there are no ratings. An undated rating's date is
// its fallback (a list holds no nulls), which decoding reads back undated.
func ratingValues(rs []org.YearRating) (years, grades, dates any) {
	if len(rs) == 0 {
		return nil, nil, nil
	}
	ys, gs, ds := make([]any, len(rs)), make([]any, len(rs)), make([]any, len(rs))
	for i, r := range rs {
		ys[i], gs[i], ds[i] = int64(r.Year), r.Grade.String(), dateParam(r.Decided())
	}
	return ys, gs, ds
}

// spanRow is the row of a fact of record id over span s.
func spanRow(id string, s org.Span) map[string]any {
	return map[string]any{"id": id, "since": dateValue(s.Since), "until": dateValue(s.Until)}
}

// orgRow is the row commit.cypher takes for an organisation: the attributes of the latest version.
func orgRow(r *org.OrgRecord) map[string]any {
	latest := r.Versions[len(r.Versions)-1]
	years, grades, dates := ratingValues(r.Ratings)
	meetingYears, meetingCounts, meetingDates := meetingValues(r.Meetings)
	return map[string]any{
		"id": r.ID, "code": optionalString(r.Code), "rev": r.Rev,
		"name": latest.Name, "nameKey": org.Fold(latest.Name),
		"kind": latest.Kind.String(), "sector": latest.Sector.String(),
		"established": dateValue(r.Established()), "ended": dateValue(r.Ended()),
		"ratingYears": years, "ratingGrades": grades, "ratingDates": dates,
		"meetingYears": meetingYears, "meetingCounts": meetingCounts, "meetingDates": meetingDates,
	}
}

// meetingValues are the parallel lists meetingYears, meetingCounts and
// meetingDates (as ratingValues), nil when none were recorded.
func meetingValues(ms []org.YearCount) (years, counts, dates any) {
	if len(ms) == 0 {
		return nil, nil, nil
	}
	ys, cs, ds := make([]any, len(ms)), make([]any, len(ms)), make([]any, len(ms))
	for i, m := range ms {
		ys[i], cs[i], ds[i] = int64(m.Year), int64(m.Count), dateParam(m.Decided())
	}
	return ys, cs, ds
}

// orgFactRows are the rows commit.cypher takes: every version, and
// the PART_OF of each version that has a parent.
func orgFactRows(r *org.OrgRecord) (versions, parts []any) {
	for _, v := range r.Versions {
		row := spanRow(r.ID, v.Span)
		row["parentId"] = optionalString(v.ParentID)
		row["name"], row["nameKey"] = v.Name, org.Fold(v.Name)
		row["kind"], row["sector"] = v.Kind.String(), v.Sector.String()
		versions = append(versions, row)
		if v.ParentID != "" {
			part := spanRow(r.ID, v.Span)
			part["parentId"] = v.ParentID
			parts = append(parts, part)
		}
	}
	return versions, parts
}

// memberRow is the row commit.cypher takes for a member.
func memberRow(r *org.MemberRecord) map[string]any {
	years, grades, dates := ratingValues(r.Ratings)
	p := r.Personal
	return map[string]any{
		"id": r.ID, "fullName": r.FullName, "nameKey": org.Fold(r.FullName), "gender": r.Gender.String(),
		"admittedOn": dateValue(r.AdmittedOn), "officialOn": optionalDate(r.OfficialOn), "theory": r.Theory.String(),
		"birthDate": optionalDate(p.BirthDate), "ethnicity": optionalString(p.Ethnicity), "phone": optionalString(p.Phone),
		"email": optionalString(p.Email), "address": optionalString(p.Address),
		"ratingYears": years, "ratingGrades": grades, "ratingDates": dates, "rev": r.Rev,
	}
}

// memberFactRows are the rows commit.cypher takes for its facts.
func memberFactRows(r *org.MemberRecord) (stints, residences, roles []any) {
	fact := func(pos int, s org.Span, orgID string) map[string]any {
		row := spanRow(r.ID, s)
		row["pos"], row["orgId"] = int64(pos), orgID
		return row
	}
	for i, s := range r.Stints {
		row := fact(i, s.Span, s.CellID)
		row["temporary"] = s.Temporary
		stints = append(stints, row)
	}
	for i, s := range r.Residences {
		residences = append(residences, fact(i, s.Span, s.CellID))
	}
	for i, t := range r.Roles {
		row := fact(i, t.Span, t.OrgID)
		row["role"], row["headOfUnit"] = t.Role.String(), t.HeadOfUnit
		roles = append(roles, row)
	}
	return stints, residences, roles
}

// knownDate is d as a DATE, or nil for the zero date of an unset field.
func knownDate(d org.Date) any {
	if d == 0 {
		return nil
	}
	return dateParam(d)
}

// idListValue is ids as a list property, or nil (no property) when there are none.
func idListValue(ids []string) any {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// recordsJSON is the JSON of records, or nil (no property) when there are none.
func recordsJSON(records []org.Record) (any, error) {
	if len(records) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(records)
	if err != nil {
		return nil, fmt.Errorf("neo4j: encoding the records of a change: %w", err)
	}
	return string(b), nil
}

// changeRow is the row commit.cypher takes for c, numbered c.Seq.
func changeRow(c *org.Change) (map[string]any, error) {
	typ, err := c.Type.MarshalText()
	if err != nil {
		return nil, err
	}
	before, err := recordsJSON(c.Before)
	if err != nil {
		return nil, err
	}
	after, err := recordsJSON(c.After)
	if err != nil {
		return nil, err
	}
	var recordedAt any
	if !c.RecordedAt.IsZero() {
		recordedAt = c.RecordedAt.UTC()
	}
	return map[string]any{
		"seq": c.Seq, "type": string(typ), "effectiveOn": dateParam(c.EffectiveOn),
		"decisionNumber": optionalString(c.Decision.Number), "decisionKey": optionalString(org.DecisionKey(c.Decision.Number)),
		"decisionDate": knownDate(c.Decision.Date),
		"issuerId":     optionalString(c.Decision.IssuerID), "note": optionalString(c.Note),
		"actor": optionalString(c.Actor), "recordedAt": recordedAt,
		"subjects": idListValue(c.Subjects), "scope": idListValue(c.Scope), "before": before, "after": after,
	}, nil
}
