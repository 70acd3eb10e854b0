// params: id, at, afterKey, afterId, limit
// Members with a residence link to the cell on the date, by folded name then
// id: how many, and the ids of the page after the cursor.
MATCH (m:Member)-[r:RESIDES_IN]->(:Org {id: $id})
WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until)
  AND EXISTS {
    MATCH (m)-[s:MEMBER_OF]->(:Org)
    WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
  }
WITH m ORDER BY m.nameKey, m.id
WITH collect(m) AS members
RETURN size(members) AS total,
       [m IN members WHERE m.nameKey > $afterKey OR (m.nameKey = $afterKey AND m.id > $afterId) | m.id][..$limit] AS ids
