package neo4j

// graphModel is every label, relationship type and property key a statement may
// use. The Cypher lint gives it to Neo4j's semantic analysis as the database
// schema, so a misspelt name in a .cypher file fails the build.
//
//	(:Org {id, code, rev, name, nameKey, kind, sector, established, ended,
//	       ratingYears, ratingGrades, ratingDates, meetingYears, meetingCounts, meetingDates,
//	       counts, changedTo, writes})
//	(:Org)-[:HAS_VERSION]->(:OrgVersion {since, until, parentId, name, nameKey, kind, sector})
//	(:Org)-[:PART_OF {since, until}]->(:Org)
//	(:Member {id, fullName, nameKey, gender, admittedOn, officialOn, theory,
//	          birthDate, ethnicity, phone, email, address, ratingYears, ratingGrades, ratingDates, rev})
//	(:Member)-[:MEMBER_OF {pos, since, until, temporary}]->(:Org)
//	(:Member)-[:RESIDES_IN {pos, since, until}]->(:Org)
//	(:Member)-[:HOLDS {pos, role, headOfUnit, since, until}]->(:Org)
//	(:Org)-[:COUNTED]->(:CountDelta {since, counts})
//	(:Meta {key, writes, revision, auditSeq, changeSeq, importing, importBeat,
//	        schemaVersion, migrating, migrationBeat})
//	(:Audit {seq, at, subject, roles, address, action, target, outcome})
//	(:Change {seq, type, effectiveOn, decisionNumber, decisionKey, decisionDate, issuerId,
//	          note, actor, recordedAt, subjects, scope, before, after})
//	(:Change)-[:WITHIN]->(:Org)
//	(:Scenario {id, rev, createdAt, json, writes})
//	(:Commit {key, at})
//
// Dates are Neo4j DATE values and enumerations their API names. An open-ended
// span has no until; an unset optional value has no property. Org carries the
// attributes of its latest version, for the indexes and for the open-ended
// state; each version is an OrgVersion and, when it has a parent, a PART_OF
// with the same span. pos keeps a member's facts in the order of the record.
// counts is the open-ended state's Counts (layout in counts.go), and each
// CountDelta how they change on its date (since), so that the counts on any
// date are counts less the changes dated after it: a read costs a row per
// organisation whatever the date, and reads no change on or after changedTo,
// the date of the latest; Meta.writes counts the writing transactions that
// locked it, and writes on a province (an Org part of nothing) or a Scenario
// those that locked that node (province_lock, scenario_lock);
// Meta.revision those that wrote organisations or members (org.Store.Revision);
// Meta.importing is the id of the import underway, which wrote last at
// Meta.importBeat, a DATETIME (see seeding.go); Meta.schemaVersion is the
// layout the data is in (none: 1) and Meta.migrating the id of the migration
// bringing it to this version's, which wrote last at Meta.migrationBeat (see
// migrate.go). Meta.horizon is what layout 1 kept instead of dated counts;
// the migration drops it.
//
// A Change is one entry of the history, numbered by Meta.changeSeq as audit
// entries are by Meta.auditSeq: recordedAt is a DATETIME, subjects and scope
// lists of ids, before and after the JSON of the records (a []org.Record),
// read back whole and never queried. Each id of scope also has a WITHIN
// relationship to its organisation, so that the history within one is reached
// from the organisation's id rather than by testing a list property of every
// change; the scope property stays the record's own, for reading it back.
//
// A Scenario is a draft restructuring, stored whole as its JSON (json, an
// org.Scenario, rev included) and read back whole; rev and createdAt (a
// DATETIME) beside it are copies, createdAt for the order of the list.
//
// A Commit records that one Update committed (key, random per Update; at, a
// DATETIME), so that an Update run again after its commit's acknowledgement
// was lost recognises that it already applied. One per write, like Audit.
var graphModel = struct {
	Labels        []string
	Relationships []string
	Properties    []string
}{
	Labels:        []string{"Org", "OrgVersion", "Member", "Meta", "Audit", "Change", "Scenario", "Commit", "CountDelta"},
	Relationships: []string{"HAS_VERSION", "PART_OF", "MEMBER_OF", "RESIDES_IN", "HOLDS", "WITHIN", "COUNTED"},
	Properties: []string{
		"id", "code", "rev", "name", "nameKey", "kind", "sector", "established", "ended", "counts", "changedTo",
		"since", "until", "parentId",
		"fullName", "gender", "admittedOn", "officialOn", "theory",
		"birthDate", "ethnicity", "phone", "email", "address", "ratingYears", "ratingGrades", "ratingDates",
		"meetingYears", "meetingCounts", "meetingDates", "pos", "temporary", "role", "headOfUnit", "key", "writes", "revision", "importing", "importBeat",
		"schemaVersion", "migrating", "migrationBeat", "horizon",
		"auditSeq", "seq", "at", "subject", "roles", "action", "target", "outcome",
		"changeSeq", "type", "effectiveOn", "decisionNumber", "decisionKey", "decisionDate", "issuerId", "note", "actor",
		"recordedAt", "subjects", "scope", "before", "after",
		"createdAt", "json",
	},
}
