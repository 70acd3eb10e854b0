// params: key, id, version, now, stale
// Claims the first import into an empty database for the import $id, so that
// of several instances starting together one imports and the others wait:
// state is "claimed" when there is no organisation and no other import, or
// when the import is already $id's; "busy" while another import wrote since
// $stale; "abandoned" when another import stopped writing before $stale (its
// instance died): the caller wipes what it left, Meta node included, and
// claims again; "done" when the database holds organisations and no import is
// underway. A claim also notes the layout the import writes, $version (see
// migration_claim.cypher).
MERGE (meta:Meta {key: $key})
WITH meta, EXISTS { (:Org) } AS data,
     meta.importing IS NOT NULL AND meta.importing <> $id AS other,
     coalesce(meta.importBeat, $now) >= $stale AS fresh
WITH meta, CASE
       WHEN other AND fresh THEN 'busy'
       WHEN other THEN 'abandoned'
       WHEN data AND meta.importing IS NULL THEN 'done'
       ELSE 'claimed'
     END AS state
SET meta.importing = CASE WHEN state = 'claimed' THEN $id ELSE meta.importing END,
    meta.importBeat = CASE WHEN state = 'claimed' THEN $now ELSE meta.importBeat END,
    meta.schemaVersion = CASE WHEN state = 'claimed' THEN $version ELSE meta.schemaVersion END
RETURN state
