// params: ids, at
// For each organisation, the ids from its root down to it on the date.
UNWIND $ids AS id
MATCH p = (:Org {id: id})-[:PART_OF*0..]->(top:Org)
WHERE all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
  AND NOT EXISTS {
    MATCH (top)-[up:PART_OF]->(:Org)
    WHERE up.since <= $at AND (up.until IS NULL OR $at < up.until)
  }
RETURN id, reverse([n IN nodes(p) | n.id]) AS path
