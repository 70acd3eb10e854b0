// params: id
// expect: 4: Parameter $at is not defined.
MATCH (o:Org {id: $id})-[p:PART_OF]->(parent:Org)
WHERE p.since <= $at
RETURN parent.id AS parentId
