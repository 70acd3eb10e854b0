// params: rows
// Replaces the counts of each organisation of $rows, {id, counts, changedTo,
// changes: [{since, counts}]}, with those counted from its records: the
// open-ended state's, the date of their latest change and their dated
// changes (see commit.cypher). Whatever it held before goes, so that running
// it again, or over counts an earlier version kept, writes the same.
UNWIND $rows AS row
MATCH (o:Org {id: row.id})
CALL (o) {
  MATCH (o)-[:COUNTED]->(d:CountDelta)
  DETACH DELETE d
}
SET o.counts = row.counts, o.changedTo = row.changedTo
WITH o, row
CALL (o, row) {
  UNWIND row.changes AS change
  CREATE (o)-[:COUNTED]->(:CountDelta {since: change.since, counts: change.counts})
}
RETURN count(o) AS orgs
