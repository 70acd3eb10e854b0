// params:
// For decision_used.cypher: whether a decision already ordered a change.
CREATE INDEX change_decision IF NOT EXISTS FOR (c:Change) ON (c.issuerId, c.decisionNumber)
