// params: key, horizon
// Every transaction that writes organisations or members ends here: it moves
// the horizon (the caller passes the later of the old one and the latest date
// its records reach) and the revision, by which every instance knows that
// its replays of scenarios are stale.
MATCH (meta:Meta {key: $key})
SET meta.horizon = $horizon, meta.revision = coalesce(meta.revision, 0) + 1
