// params: key, commit
// Every writing transaction starts here and holds the write lock on the Meta
// node until it commits, so that writers run one at a time and each recounts
// from the counts the previous one left. SET reads meta.writes under the lock.
// applied says whether the Update of key $commit already committed: an earlier
// run whose acknowledgement was lost (see commit_record).
MERGE (meta:Meta {key: $key})
ON CREATE SET meta.writes = 0
SET meta.writes = meta.writes + 1
RETURN meta.horizon AS horizon, EXISTS { (:Commit {key: $commit}) } AS applied
