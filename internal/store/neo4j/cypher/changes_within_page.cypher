// params: within, fromOn, fromSeq, until, types, limit
// As changes_page.cypher, among the changes within the organisation: those
// linked WITHIN it, reached from its id.
MATCH (:Org {id: $within})<-[:WITHIN]-(c:Change)
WHERE c.effectiveOn >= $fromOn AND c.effectiveOn < $until
  AND (c.effectiveOn > $fromOn OR c.seq > $fromSeq)
  AND ($types IS NULL OR c.type IN $types)
RETURN c.seq AS seq, c.type AS type, c.effectiveOn AS effectiveOn, c.decisionNumber AS decisionNumber,
       c.decisionDate AS decisionDate, c.issuerId AS issuerId, c.note AS note, c.actor AS actor,
       c.recordedAt AS recordedAt, c.subjects AS subjects, c.scope AS scope, c.before AS before, c.after AS after
ORDER BY effectiveOn, seq
LIMIT $limit
