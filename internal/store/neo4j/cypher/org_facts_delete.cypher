// params: ids
UNWIND $ids AS id
MATCH (o:Org {id: id})
CALL (o) {
  MATCH (o)-[p:PART_OF]->(:Org)
  DELETE p
}
CALL (o) {
  MATCH (o)-[:HAS_VERSION]->(v:OrgVersion)
  DETACH DELETE v
}
