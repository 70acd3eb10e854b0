// params: fromOn, fromSeq, until, types, limit
// The first limit changes after the position (fromOn, fromSeq) in the order of
// the history, effective date then number, with an effective date before
// until and, when types is not null, of one of types. The caller folds the
// since bound into the position, so that the first conjunct is a range seek
// on change_effective_on, whose order the sort continues.
MATCH (c:Change)
WHERE c.effectiveOn >= $fromOn AND c.effectiveOn < $until
  AND (c.effectiveOn > $fromOn OR c.seq > $fromSeq)
  AND ($types IS NULL OR c.type IN $types)
RETURN c.seq AS seq, c.type AS type, c.effectiveOn AS effectiveOn, c.decisionNumber AS decisionNumber,
       c.decisionDate AS decisionDate, c.issuerId AS issuerId, c.note AS note, c.actor AS actor,
       c.recordedAt AS recordedAt, c.subjects AS subjects, c.scope AS scope, c.before AS before, c.after AS after
ORDER BY effectiveOn, seq
LIMIT $limit
