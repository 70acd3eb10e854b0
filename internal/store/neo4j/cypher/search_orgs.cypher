// params: query, at, within, limit
// Candidates for a search among organisation names in force on the date, in
// the subtrees of the ids in within when it is not null, best full-text score first.
CALL db.index.fulltext.queryNodes('org_names', $query) YIELD node, score
MATCH (o:Org)-[:HAS_VERSION]->(node)
WHERE node.since <= $at AND (node.until IS NULL OR $at < node.until)
  AND ($within IS NULL OR EXISTS {
    MATCH p = (o)-[:PART_OF*0..]->(top:Org)
    WHERE top.id IN $within AND all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
  })
RETURN o.id AS id, node.nameKey AS nameKey
ORDER BY score DESC
LIMIT $limit
