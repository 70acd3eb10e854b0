// params: after, limit
// The first limit changes numbered above after, by number: a page of an export.
MATCH (c:Change)
WHERE c.seq > $after
RETURN c.seq AS seq, c.type AS type, c.effectiveOn AS effectiveOn, c.decisionNumber AS decisionNumber,
       c.decisionDate AS decisionDate, c.issuerId AS issuerId, c.note AS note, c.actor AS actor,
       c.recordedAt AS recordedAt, c.subjects AS subjects, c.scope AS scope, c.before AS before, c.after AS after
ORDER BY seq
LIMIT $limit
