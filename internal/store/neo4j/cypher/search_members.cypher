// params: query, at, within, limit
// Candidates for a search among members on the date, with their official cell,
// in the subtrees of the ids in within when it is not null, best full-text score first.
CALL db.index.fulltext.queryNodes('member_names', $query) YIELD node, score
MATCH (node)-[s:MEMBER_OF]->(cell:Org)
WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
  AND ($within IS NULL OR EXISTS {
    MATCH p = (cell)-[:PART_OF*0..]->(top:Org)
    WHERE top.id IN $within AND all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
  })
RETURN node.id AS id, node.nameKey AS nameKey, cell.id AS cellId
ORDER BY score DESC
LIMIT $limit
