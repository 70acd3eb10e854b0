// params: key, id, version, now, last
// Every transaction of a migration starts here, after taking the Meta node's
// write lock: it notes that migration $id is alive, and mine says whether the
// claim is still its own. With $last the migration is over: the layout is
// $version, the claim released, the revision moved (the counts were
// rewritten), and the horizon of the layout before dated counts dropped.
MATCH (meta:Meta {key: $key})
SET meta.writes = meta.writes + 1
WITH meta
WHERE meta.migrating = $id
SET meta.migrationBeat = CASE WHEN $last THEN null ELSE $now END,
    meta.migrating = CASE WHEN $last THEN null ELSE $id END,
    meta.schemaVersion = CASE WHEN $last THEN $version ELSE meta.schemaVersion END,
    meta.revision = coalesce(meta.revision, 0) + CASE WHEN $last THEN 1 ELSE 0 END,
    meta.horizon = CASE WHEN $last THEN null ELSE meta.horizon END
RETURN count(meta) AS mine
