// params:
// For decision_date.cypher: the decisions an issuer already cited, by the
// key of their number (org.DecisionKey, case-folded).
CREATE INDEX change_decision_key IF NOT EXISTS FOR (c:Change) ON (c.issuerId, c.decisionKey)
