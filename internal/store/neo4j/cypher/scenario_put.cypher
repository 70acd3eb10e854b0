// params: id, rev, createdAt, json
// Creates or replaces a scenario. The caller has checked its rev in the same
// transaction, under the writers' lock.
MERGE (s:Scenario {id: $id})
SET s.rev = $rev, s.createdAt = $createdAt, s.json = $json
