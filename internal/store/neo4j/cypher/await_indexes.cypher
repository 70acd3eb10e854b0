// params: seconds
// A new index serves queries only once populated.
CALL db.awaitIndexes($seconds)
