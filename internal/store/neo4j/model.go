package neo4j

// graphModel is every label, relationship type and property key a statement may
// use. The Cypher lint gives it to Neo4j's semantic analysis as the database
// schema, so a misspelt name in a .cypher file fails the build.
//
//	(:Org {id, code, rev, name, nameKey, kind, sector, established, ended, counts})
//	(:Org)-[:HAS_VERSION]->(:OrgVersion {since, until, parentId, name, nameKey, kind, sector})
//	(:Org)-[:PART_OF {since, until}]->(:Org)
//	(:Member {id, fullName, nameKey, gender, admittedOn, officialOn, theory,
//	          birthDate, ethnicity, phone, email, address, ratingYears, ratingGrades, rev})
//	(:Member)-[:MEMBER_OF {since, until, temporary}]->(:Org)
//	(:Member)-[:RESIDES_IN {since, until}]->(:Org)
//	(:Member)-[:HOLDS {role, headOfUnit, since, until}]->(:Org)
//	(:Meta {key, horizon})
//
// An open-ended span has no until. Org carries the attributes of its latest
// version, for the indexes and for reads of the current structure.
var graphModel = struct {
	Labels        []string
	Relationships []string
	Properties    []string
}{
	Labels:        []string{"Org", "OrgVersion", "Member", "Meta"},
	Relationships: []string{"HAS_VERSION", "PART_OF", "MEMBER_OF", "RESIDES_IN", "HOLDS"},
	Properties: []string{
		"id", "code", "rev", "name", "nameKey", "kind", "sector", "established", "ended", "counts",
		"since", "until", "parentId",
		"fullName", "gender", "admittedOn", "officialOn", "theory",
		"birthDate", "ethnicity", "phone", "email", "address", "ratingYears", "ratingGrades",
		"temporary", "role", "headOfUnit", "key", "horizon",
	},
}
