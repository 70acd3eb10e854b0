package neo4j

// graphModel is every label, relationship type and property key a statement may
// use. The Cypher lint gives it to Neo4j's semantic analysis as the database
// schema, so a misspelt name in a .cypher file fails the build.
//
//	(:Org {id, code, rev, name, nameKey, kind, sector, established, ended,
//	       ratingYears, ratingGrades, counts})
//	(:Org)-[:HAS_VERSION]->(:OrgVersion {since, until, parentId, name, nameKey, kind, sector})
//	(:Org)-[:PART_OF {since, until}]->(:Org)
//	(:Member {id, fullName, nameKey, gender, admittedOn, officialOn, theory,
//	          birthDate, ethnicity, phone, email, address, ratingYears, ratingGrades, rev})
//	(:Member)-[:MEMBER_OF {pos, since, until, temporary}]->(:Org)
//	(:Member)-[:RESIDES_IN {pos, since, until}]->(:Org)
//	(:Member)-[:HOLDS {pos, role, headOfUnit, since, until}]->(:Org)
//	(:Meta {key, horizon, writes})
//
// Dates are Neo4j DATE values and enumerations their API names. An open-ended
// span has no until; an unset optional value has no property. Org carries the
// attributes of its latest version, for the indexes and for the open-ended
// state; each version is an OrgVersion and, when it has a parent, a PART_OF
// with the same span. pos keeps a member's facts in the order of the record.
// counts is the open-ended state's Counts (layout in counts.go); Meta.horizon
// is the latest finite date of any fact, from which on the state is the
// open-ended one; Meta.writes counts writing transactions.
var graphModel = struct {
	Labels        []string
	Relationships []string
	Properties    []string
}{
	Labels:        []string{"Org", "OrgVersion", "Member", "Meta", "Audit"},
	Relationships: []string{"HAS_VERSION", "PART_OF", "MEMBER_OF", "RESIDES_IN", "HOLDS"},
	Properties: []string{
		"id", "code", "rev", "name", "nameKey", "kind", "sector", "established", "ended", "counts",
		"since", "until", "parentId",
		"fullName", "gender", "admittedOn", "officialOn", "theory",
		"birthDate", "ethnicity", "phone", "email", "address", "ratingYears", "ratingGrades",
		"pos", "temporary", "role", "headOfUnit", "key", "horizon", "writes",
		"auditSeq", "seq", "at", "subject", "roles", "action", "target", "outcome",
	},
}
