// params: key, entries
// Appends entries to the audit log, numbered by the counter on the Meta node.
// The counter is raised once by the number of entries, then each entry takes
// the number after the old value plus its index: a per-row SET read back in
// the CREATE would be read once by Neo4j's eagerness analysis, and every entry
// would take the last number.
MERGE (meta:Meta {key: $key})
SET meta.auditSeq = coalesce(meta.auditSeq, 0) + size($entries)
WITH meta.auditSeq - size($entries) AS last
UNWIND range(0, size($entries) - 1) AS i
WITH last + i + 1 AS seq, $entries[i] AS e
CREATE (:Audit {
  seq: seq, at: e.at, subject: e.subject, roles: e.roles, address: e.address,
  action: e.action, target: e.target, outcome: e.outcome
})
