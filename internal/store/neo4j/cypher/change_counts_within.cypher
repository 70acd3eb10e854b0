// params: within, since, until, types
// As change_counts.cypher, among the changes linked WITHIN the organisation.
MATCH (:Org {id: $within})<-[:WITHIN]-(c:Change)
WHERE c.effectiveOn >= $since AND c.effectiveOn < $until
  AND ($types IS NULL OR c.type IN $types)
RETURN c.type AS type, count(*) AS changes
