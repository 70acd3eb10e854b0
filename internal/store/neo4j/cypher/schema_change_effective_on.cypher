// params:
// For the history of everywhere (changes_page.cypher, change_counts.cypher): a
// range seek from the page's position or the since bound, in index order.
CREATE INDEX change_effective_on IF NOT EXISTS FOR (c:Change) ON (c.effectiveOn)
