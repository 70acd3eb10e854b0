// params: key, stale
// Whether the database holds organisations, and whether an import is underway
// (it wrote since $stale) or was abandoned (it did not).
OPTIONAL MATCH (meta:Meta {key: $key})
RETURN EXISTS { (:Org) } AS data,
       meta.importing IS NOT NULL AND meta.importBeat >= $stale AS underway,
       meta.importing IS NOT NULL AND meta.importBeat < $stale AS abandoned
