// params:
// How many entries the audit log holds.
MATCH (a:Audit)
RETURN count(a) AS total
