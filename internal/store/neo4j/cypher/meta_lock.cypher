// params: key, commit
// A writing transaction runs this when it records its first change (or, if
// it took no lock before, when it commits), and holds the write lock on the
// Meta node until it commits, so that changes commit in the order of their
// numbers: changeSeq is the history's counter, the transaction numbers the
// changes it records after it and moves it at commit (commit.cypher).
// applied says whether the Update of key $commit already committed: an
// earlier run whose acknowledgement was lost (see commit.cypher).
MERGE (meta:Meta {key: $key})
ON CREATE SET meta.writes = 0
SET meta.writes = meta.writes + 1
RETURN coalesce(meta.changeSeq, 0) AS changeSeq,
       EXISTS { (:Commit {key: $commit}) } AS applied
