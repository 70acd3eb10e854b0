// params: key, id, version, now, stale
// Claims the upgrade of a database written by an earlier version for the
// migration $id, so that of several instances starting together one migrates
// and the others wait. It takes the Meta node's write lock before it reads
// the claim, so that two instances never both claim. state is "current" when
// the layout is $version already, when there is no organisation, or while an
// import is underway or abandoned (the import writes the current layout, see
// import_claim.cypher; an abandoned one is wiped); "newer" when a later
// version wrote the layout; "busy" while another migration wrote since
// $stale; "claimed" otherwise, a claim that stopped writing included: each
// step of a migration is idempotent, so the next one starts again.
MERGE (meta:Meta {key: $key})
SET meta.writes = coalesce(meta.writes, 0) + 1
WITH meta, EXISTS { (:Org) } AS data, coalesce(meta.schemaVersion, 1) AS version
WITH meta, CASE
       WHEN version > $version THEN 'newer'
       WHEN NOT data OR meta.importing IS NOT NULL OR version = $version THEN 'current'
       WHEN meta.migrating IS NOT NULL AND meta.migrating <> $id AND meta.migrationBeat >= $stale THEN 'busy'
       ELSE 'claimed'
     END AS state, version
SET meta.migrating = CASE WHEN state = 'claimed' THEN $id ELSE meta.migrating END,
    meta.migrationBeat = CASE WHEN state = 'claimed' THEN $now ELSE meta.migrationBeat END
RETURN state, version
