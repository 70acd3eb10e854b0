// params: key
// The revision of the structure (raised by commit.cypher).
OPTIONAL MATCH (meta:Meta {key: $key})
RETURN coalesce(meta.revision, 0) AS revision
