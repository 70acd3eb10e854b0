// params: near, subtrees, at
// The working set of an operation or a replay (org.WorkingSet) in one row, so
// that what it reads next costs no round trip, however large it is:
// inside, the organisations of $near and those of the subtrees of $subtrees
// on the date: the transaction then knows every child and every member they
// ever had; orgs, the records of those, of their children at any date, of
// the organisations the members of $near are linked to, and of everything
// above $near, $subtrees and those, at any date; members, the records of the
// members of $near and of every member ever linked to an organisation inside,
// and the records of the organisations they are linked to and of those above;
// later, the changes effective after the date within an organisation inside,
// one of its children or one of those, which tell an operation what it must
// keep true.
CALL () {
  UNWIND $subtrees AS id
  MATCH p = (o:Org)-[:PART_OF*0..]->(:Org {id: id})
  WHERE all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
  RETURN collect(DISTINCT o) AS deep
}
CALL () {
  UNWIND $near AS id
  MATCH (o:Org {id: id})
  RETURN collect(o) AS named
}
CALL () {
  UNWIND $near AS id
  MATCH (:Member {id: id})-[:MEMBER_OF|RESIDES_IN|HOLDS]->(o:Org)
  RETURN collect(DISTINCT o) AS tied
}
WITH deep + [o IN named WHERE NOT o IN deep] AS inside, tied
CALL (inside) {
  UNWIND inside AS o
  MATCH (child:Org)-[:PART_OF]->(o)
  RETURN collect(DISTINCT child) AS children
}
CALL () {
  UNWIND $near + $subtrees AS id
  MATCH (:Org {id: id})-[:PART_OF*1..]->(a:Org)
  RETURN collect(DISTINCT a) AS above
}
CALL (tied) {
  UNWIND tied AS o
  MATCH (o)-[:PART_OF*0..]->(a:Org)
  RETURN collect(DISTINCT a) AS aboveTied
}
CALL (inside) {
  UNWIND inside AS o
  MATCH (m:Member)-[:MEMBER_OF|RESIDES_IN|HOLDS]->(o)
  RETURN collect(DISTINCT m) AS linked
}
CALL () {
  UNWIND $near AS id
  MATCH (m:Member {id: id})
  RETURN collect(m) AS own
}
CALL (linked, own) {
  UNWIND linked + own AS m
  MATCH (m)-[:MEMBER_OF|RESIDES_IN|HOLDS]->(:Org)-[:PART_OF*0..]->(a:Org)
  RETURN collect(DISTINCT a) AS theirs
}
CALL (inside, children, theirs) {
  UNWIND inside + children + theirs AS o
  MATCH (o)<-[:WITHIN]-(c:Change)
  WHERE c.effectiveOn > $at
  RETURN collect(DISTINCT c) AS later
}
WITH inside, inside + children + above + aboveTied + theirs AS orgs, linked + own AS members, later
RETURN [o IN inside | o.id] AS inside,
       [o IN orgs | o {.id, .code, .rev, .ratingYears, .ratingGrades, .ratingDates, .meetingYears, .meetingCounts, .meetingDates, .counts,
         versions: [(o)-[:HAS_VERSION]->(v:OrgVersion) | v {.since, .until, .parentId, .name, .kind, .sector}]}] AS orgs,
       [m IN members | m {.id, .fullName, .gender, .admittedOn, .officialOn, .theory, .birthDate,
         .ethnicity, .phone, .email, .address, .ratingYears, .ratingGrades, .ratingDates, .rev,
         stints: [(m)-[s:MEMBER_OF]->(c:Org) | s {.pos, .since, .until, .temporary, orgId: c.id}],
         residences: [(m)-[r:RESIDES_IN]->(c:Org) | r {.pos, .since, .until, orgId: c.id}],
         roles: [(m)-[h:HOLDS]->(o:Org) | h {.pos, .role, .headOfUnit, .since, .until, orgId: o.id}]}] AS members,
       [c IN later | c {.seq, .type, .effectiveOn, .decisionNumber, .decisionDate, .issuerId, .note, .actor,
         .recordedAt, .subjects, .scope, .before, .after}] AS later
