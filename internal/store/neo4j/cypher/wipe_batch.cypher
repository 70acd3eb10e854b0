// params: limit
// Deletes up to limit nodes; the integration tests repeat it until none is left.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
