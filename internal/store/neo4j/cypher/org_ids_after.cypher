// params: after, limit
MATCH (o:Org)
WHERE o.id > $after
RETURN o.id AS id
ORDER BY id
LIMIT $limit
