// params: ids
UNWIND $ids AS id
MATCH (m:Member {id: id})
CALL (m) {
  MATCH (m)-[f:MEMBER_OF|RESIDES_IN|HOLDS]->(:Org)
  DELETE f
}
