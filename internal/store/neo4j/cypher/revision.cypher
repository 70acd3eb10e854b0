// params: key
// The revision of the structure (see structure_written.cypher).
OPTIONAL MATCH (meta:Meta {key: $key})
RETURN coalesce(meta.revision, 0) AS revision
