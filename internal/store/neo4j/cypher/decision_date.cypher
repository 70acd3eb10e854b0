// params: issuerId, key
// The signing date of the issuer's decision of this number, when a change
// cites it; numbers compare by their key (org.DecisionKey: case-folded).
MATCH (c:Change {issuerId: $issuerId, decisionKey: $key})
RETURN c.decisionDate AS decisionDate
LIMIT 1
