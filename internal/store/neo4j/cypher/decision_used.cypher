// params: issuerId, number
// Whether a change ordered by the issuer's decision of this number exists.
RETURN EXISTS { MATCH (:Change {issuerId: $issuerId, decisionNumber: $number}) } AS used
