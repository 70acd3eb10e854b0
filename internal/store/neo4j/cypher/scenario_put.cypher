// params: id, rev, createdAt, json
// Creates or replaces a scenario. The caller has checked its rev in the same
// transaction, under the Meta node's lock (see scenario.go).
MERGE (s:Scenario {id: $id})
SET s.rev = $rev, s.createdAt = $createdAt, s.json = $json
