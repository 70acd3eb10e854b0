// params: versions, parts
// Returns how many of each were created, so that a missing organisation is noticed.
CALL () {
  UNWIND $versions AS row
  MATCH (o:Org {id: row.id})
  CREATE (o)-[:HAS_VERSION]->(:OrgVersion {
    since: row.since, until: row.until, parentId: row.parentId,
    name: row.name, nameKey: row.nameKey, kind: row.kind, sector: row.sector
  })
  RETURN count(*) AS versions
}
CALL () {
  UNWIND $parts AS row
  MATCH (o:Org {id: row.id})
  MATCH (parent:Org {id: row.parentId})
  CREATE (o)-[:PART_OF {since: row.since, until: row.until}]->(parent)
  RETURN count(*) AS parts
}
RETURN versions, parts
