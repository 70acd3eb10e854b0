// params: key
// The number of the last change committed: the counter on the Meta node, which
// a writing transaction raises under its lock and commits with its changes.
OPTIONAL MATCH (meta:Meta {key: $key})
RETURN coalesce(meta.changeSeq, 0) AS seq
