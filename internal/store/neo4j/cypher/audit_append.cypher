// params: key, entries
// Appends entries to the audit log, numbered by the counter on the Meta node.
// Every row reads the counter the row before it set.
MERGE (meta:Meta {key: $key})
WITH meta
UNWIND $entries AS e
SET meta.auditSeq = coalesce(meta.auditSeq, 0) + 1
CREATE (:Audit {
  seq: meta.auditSeq, at: e.at, subject: e.subject, roles: e.roles, address: e.address,
  action: e.action, target: e.target, outcome: e.outcome
})
