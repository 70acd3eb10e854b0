// params: key
OPTIONAL MATCH (meta:Meta {key: $key})
RETURN meta.horizon AS horizon
