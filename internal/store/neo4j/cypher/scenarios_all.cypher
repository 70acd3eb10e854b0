// params:
// Every scenario, whatever its status, newest first, then by id.
MATCH (s:Scenario)
RETURN s.json AS json
ORDER BY s.createdAt DESC, s.id
