// params: id, commit
// An Update reads a scenario with this instead of scenario_get: it takes the
// write lock on the scenario's node, held until it commits, so that the rev
// it checks a put against stays the stored one, while writers of anything
// else go on. No row's json when there is no such scenario; applied as
// province_lock's.
OPTIONAL MATCH (s:Scenario {id: $id})
SET s.writes = coalesce(s.writes, 0) + 1
RETURN s.json AS json, EXISTS { (:Commit {key: $commit}) } AS applied
