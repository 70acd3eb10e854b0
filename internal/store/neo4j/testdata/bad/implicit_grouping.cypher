// params: id
// expect: 4: Aggregation column contains implicit grouping expressions
MATCH (m:Member)-[:MEMBER_OF]->(o:Org {id: $id})
RETURN o.name + ': ' + count(m) AS summary
