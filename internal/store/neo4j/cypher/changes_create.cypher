// params: rows
// Creates a Change for each row, numbered as the row says, linked WITHIN each
// organisation of its scope. Returns how many changes and links were created,
// so that a scope naming a missing organisation is noticed.
UNWIND $rows AS row
CREATE (c:Change {
  seq: row.seq, type: row.type, effectiveOn: row.effectiveOn,
  decisionNumber: row.decisionNumber, decisionKey: row.decisionKey, decisionDate: row.decisionDate, issuerId: row.issuerId,
  note: row.note, actor: row.actor, recordedAt: row.recordedAt,
  subjects: row.subjects, scope: row.scope, before: row.before, after: row.after
})
WITH c
CALL (c) {
  UNWIND c.scope AS id
  MATCH (o:Org {id: id})
  CREATE (c)-[:WITHIN]->(o)
  RETURN count(*) AS links
}
RETURN count(c) AS changes, sum(links) AS links
