// params: since, until, types
// How many changes of each type have an effective date in [since, until) and,
// when types is not null, one of types; a type without any has no row.
MATCH (c:Change)
WHERE c.effectiveOn >= $since AND c.effectiveOn < $until
  AND ($types IS NULL OR c.type IN $types)
RETURN c.type AS type, count(*) AS changes
