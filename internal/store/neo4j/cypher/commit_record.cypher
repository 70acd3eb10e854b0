// params: key, at
// Records that the Update of this key committed, in its own transaction, so
// that a run again after a lost acknowledgement finds it (meta_lock).
CREATE (:Commit {key: $key, at: $at})
