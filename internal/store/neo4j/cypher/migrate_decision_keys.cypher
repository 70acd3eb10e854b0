// params: after, limit
// Gives up to $limit changes numbered after $after, in order, the key of
// their decision's number where an earlier version recorded none: for the
// letters of Vietnamese, Cypher's toLower makes what org.DecisionKey makes of
// a number in NFC. A key already there stays. last is the highest number
// seen, for the next batch.
MATCH (c:Change)
WHERE c.seq > $after
WITH c ORDER BY c.seq LIMIT $limit
SET c.decisionKey = coalesce(c.decisionKey, toLower(c.decisionNumber))
RETURN count(c) AS changes, max(c.seq) AS last
