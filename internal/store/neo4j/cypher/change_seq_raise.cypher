// params: key, seq
// Moves the counter of the history up to seq, the highest number an import
// kept or a transaction recorded, so that the next change is numbered after it.
MERGE (meta:Meta {key: $key})
SET meta.changeSeq = CASE WHEN coalesce(meta.changeSeq, 0) < $seq THEN $seq ELSE meta.changeSeq END
