// params: id, at, afterKey, afterId, limit
// Members whose official cell the organisation is on the date, by folded name
// then id: how many, and the ids of the page after the cursor.
MATCH (m:Member)-[s:MEMBER_OF]->(:Org {id: $id})
WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
WITH m ORDER BY m.nameKey, m.id
WITH collect(m) AS members
RETURN size(members) AS total,
       [m IN members WHERE m.nameKey > $afterKey OR (m.nameKey = $afterKey AND m.id > $afterId) | m.id][..$limit] AS ids
