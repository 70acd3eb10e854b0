// params: ids
// Every organisation of the open-ended state in the trees that hold ids, with
// its maintained counts: what a write recounts.
UNWIND $ids AS id
MATCH up = (:Org {id: id})-[:PART_OF*0..]->(root:Org)
WHERE all(r IN relationships(up) WHERE r.until IS NULL)
  AND root.ended IS NULL
  AND NOT EXISTS { MATCH (root)-[r:PART_OF]->(:Org) WHERE r.until IS NULL }
WITH DISTINCT root
MATCH down = (o:Org)-[:PART_OF*0..]->(root)
WHERE all(r IN relationships(down) WHERE r.until IS NULL)
RETURN o.id AS id,
       [(o)-[r:PART_OF]->(parent:Org) WHERE r.until IS NULL | parent.id][0] AS parentId,
       o.kind AS kind, o.sector AS sector, o.counts AS counts
