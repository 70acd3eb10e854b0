// params: id
// The members who ever had a stint, a residence link or a role in the organisation.
MATCH (m:Member)-[:MEMBER_OF|RESIDES_IN|HOLDS]->(:Org {id: $id})
RETURN DISTINCT m.id AS id
ORDER BY id
