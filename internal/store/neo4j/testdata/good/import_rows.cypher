// params: rows, horizon
// A write that uses what the adapter needs: UNWIND over parameter rows whose
// keys are not properties, MERGE with ON CREATE, SET +=, a scoped CALL subquery and the
// full-text procedure.
UNWIND $rows AS row
MERGE (o:Org {id: row.orgId})
  ON CREATE SET o.established = row.from
SET o += {code: row.code, name: row.label, nameKey: toLower(row.label)}
WITH o, row
CALL (o, row) {
  MATCH (parent:Org {id: row.parentOrgId})
  MERGE (o)-[p:PART_OF {since: row.from}]->(parent)
  RETURN count(p) AS linked
}
MERGE (meta:Meta {key: 'revision'})
SET meta.revision = $horizon
WITH o, linked
CALL db.index.fulltext.queryNodes('orgSearch', o.name) YIELD node, score
RETURN o.id AS id, linked, count(node) AS similar
