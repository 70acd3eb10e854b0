// params: cells, at
// For each pair of different cells of cells, how many members whose official
// cell is the first on the date have a residence link in force then to the
// second; pairs without any are left out. Starts from the residence links,
// which are far fewer than the stints.
UNWIND $cells AS toId
MATCH (m:Member)-[r:RESIDES_IN]->(:Org {id: toId})
WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until)
MATCH (m)-[s:MEMBER_OF]->(cell:Org)
WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
  AND cell.id IN $cells AND cell.id <> toId
RETURN cell.id AS fromId, toId, count(DISTINCT m) AS members
ORDER BY fromId, toId
