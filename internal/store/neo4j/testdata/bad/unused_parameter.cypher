// params: id, at
// expect: 1: Parameter $at is declared in the header but not used.
MATCH (o:Org {id: $id})-[p:PART_OF]->(parent:Org)
RETURN parent.id AS parentId
