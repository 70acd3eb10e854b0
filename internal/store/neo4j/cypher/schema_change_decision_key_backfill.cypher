// params:
// Gives the changes recorded before numbers compared by key their key: for
// the letters of Vietnamese, Cypher's toLower makes what org.DecisionKey
// makes of a number in NFC. Once done, it finds nothing to do.
MATCH (c:Change)
WHERE c.decisionKey IS NULL AND c.decisionNumber IS NOT NULL
SET c.decisionKey = toLower(c.decisionNumber)
