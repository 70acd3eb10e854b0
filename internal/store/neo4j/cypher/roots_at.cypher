// params: at
MATCH (o:Org)-[:HAS_VERSION]->(v:OrgVersion)
WHERE v.parentId IS NULL AND v.since <= $at AND (v.until IS NULL OR $at < v.until)
RETURN o.id AS id
