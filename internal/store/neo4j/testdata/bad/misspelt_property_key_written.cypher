// params: id, name
// expect: 4: Property key fulName is not in the graph model
MATCH (m:Member {id: $id})
SET m.fulName = $name
