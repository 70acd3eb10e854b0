// params: id
// expect: 3: Relationship type MEMBERS_OF is not present in the database
MATCH (m:Member {id: $id})-[:MEMBERS_OF]->(o:Org)
RETURN o.id AS orgId
