// params: key, commit
// Every writing transaction starts here and holds the write lock on the Meta
// node until it commits, so that writers run one at a time and each recounts
// from the counts the previous one left. SET reads meta.writes under the lock.
// applied says whether the Update of key $commit already committed: an earlier
// run whose acknowledgement was lost (see commit.cypher). changeSeq is the
// history's counter: the transaction numbers the changes it records after it,
// and moves it at commit (commit.cypher).
MERGE (meta:Meta {key: $key})
ON CREATE SET meta.writes = 0
SET meta.writes = meta.writes + 1
RETURN coalesce(meta.changeSeq, 0) AS changeSeq,
       EXISTS { (:Commit {key: $commit}) } AS applied
