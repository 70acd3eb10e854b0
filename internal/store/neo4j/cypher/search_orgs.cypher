// params: query, at, within, limit
// Candidates for a search among organisation names in force on the date, in
// the subtree of within when it is not null, best full-text score first.
CALL db.index.fulltext.queryNodes('org_names', $query) YIELD node, score
MATCH (o:Org)-[:HAS_VERSION]->(node)
WHERE node.since <= $at AND (node.until IS NULL OR $at < node.until)
  AND ($within IS NULL OR EXISTS {
    MATCH p = (o)-[:PART_OF*0..]->(:Org {id: $within})
    WHERE all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
  })
RETURN o.id AS id, node.nameKey AS nameKey
ORDER BY score DESC
LIMIT $limit
