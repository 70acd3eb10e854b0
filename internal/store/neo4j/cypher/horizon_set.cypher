// params: key, horizon
MATCH (meta:Meta {key: $key})
SET meta.horizon = $horizon
