// params: key
// The next number of the history, from the counter on the Meta node; a writing
// transaction holds the node locked since meta_lock.cypher, so no other takes
// the same number.
MERGE (meta:Meta {key: $key})
SET meta.changeSeq = coalesce(meta.changeSeq, 0) + 1
RETURN meta.changeSeq AS seq
