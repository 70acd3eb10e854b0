// params: id
// One scenario, as the JSON it is stored as; no record when there is none.
MATCH (s:Scenario {id: $id})
RETURN s.json AS json
