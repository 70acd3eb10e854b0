// params: stints, residences, roles
// Returns how many of each were created, so that a missing organisation is noticed.
CALL () {
  UNWIND $stints AS row
  MATCH (m:Member {id: row.id})
  MATCH (cell:Org {id: row.orgId})
  CREATE (m)-[:MEMBER_OF {
    pos: row.pos, since: row.since, until: row.until, temporary: row.temporary
  }]->(cell)
  RETURN count(*) AS stints
}
CALL () {
  UNWIND $residences AS row
  MATCH (m:Member {id: row.id})
  MATCH (cell:Org {id: row.orgId})
  CREATE (m)-[:RESIDES_IN {pos: row.pos, since: row.since, until: row.until}]->(cell)
  RETURN count(*) AS residences
}
CALL () {
  UNWIND $roles AS row
  MATCH (m:Member {id: row.id})
  MATCH (o:Org {id: row.orgId})
  CREATE (m)-[:HOLDS {
    pos: row.pos, role: row.role, headOfUnit: row.headOfUnit, since: row.since, until: row.until
  }]->(o)
  RETURN count(*) AS roles
}
RETURN stints, residences, roles
