// params: id, at
// A read that uses what the adapter needs: OPTIONAL MATCH, subqueries, map
// projections with keys that are not properties, list comprehensions.
MATCH (m:Member {id: $id})
OPTIONAL MATCH (m)-[r:MEMBER_OF]->(o:Org)
WHERE r.since <= $at AND (r.until IS NULL OR r.until > $at)
WITH m, o, r, COUNT { (m)-[:HOLDS]->(:Org) } AS posts
RETURN m {.id, .fullName, .nameKey, posts: posts,
          unit: o {.id, .name, temporary: coalesce(r.temporary, false)},
          roles: [(m)-[h:HOLDS]->(x:Org) WHERE h.until IS NULL | {role: h.role, orgId: x.id}]} AS member
ORDER BY member.fullName
