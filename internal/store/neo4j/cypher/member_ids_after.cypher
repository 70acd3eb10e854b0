// params: after, limit
MATCH (m:Member)
WHERE m.id > $after
RETURN m.id AS id
ORDER BY id
LIMIT $limit
