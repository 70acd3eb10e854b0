// params: before, limit
// The audit log, newest first: the entries numbered below before, when before
// is not null.
MATCH (a:Audit)
WHERE $before IS NULL OR a.seq < $before
RETURN a.seq AS seq, a.at AS at, a.subject AS subject, a.roles AS roles, a.address AS address,
       a.action AS action, a.target AS target, a.outcome AS outcome
ORDER BY a.seq DESC
LIMIT $limit
