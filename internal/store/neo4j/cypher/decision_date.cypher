// params: issuerId, number
// The signing date of the issuer's decision of this number, when a change cites it.
MATCH (c:Change {issuerId: $issuerId, decisionNumber: $number})
RETURN c.decisionDate AS decisionDate
LIMIT 1
