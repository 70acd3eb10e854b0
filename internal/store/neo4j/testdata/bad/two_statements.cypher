// params: id
// expect: 1: A .cypher file must hold exactly one statement; this one holds 2.
MATCH (o:Org {id: $id}) DETACH DELETE o;
MATCH (v:OrgVersion) WHERE NOT (v)<-[:HAS_VERSION]-() DELETE v
