// params: ids, at
// Every organisation in the subtrees of ids on the date, with the members whose
// official cell it is then: what org.Tree needs to count the subtrees.
UNWIND $ids AS id
MATCH p = (o:Org)-[:PART_OF*0..]->(:Org {id: id})
WHERE all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
WITH DISTINCT o
MATCH (o)-[:HAS_VERSION]->(v:OrgVersion)
WHERE v.since <= $at AND (v.until IS NULL OR $at < v.until)
RETURN o.id AS id, v.parentId AS parentId, v.kind AS kind, v.sector AS sector,
       COUNT {
         MATCH (m:Member)-[s:MEMBER_OF]->(o)
         WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
           AND m.officialOn <= $at
       } AS official,
       COUNT {
         MATCH (m:Member)-[s:MEMBER_OF]->(o)
         WHERE NOT s.temporary AND s.since <= $at AND (s.until IS NULL OR $at < s.until)
           AND (m.officialOn IS NULL OR m.officialOn > $at)
       } AS probationary
