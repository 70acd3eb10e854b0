// params: id
// expect: 4: fulName is not present in the database
MATCH (m:Member {id: $id})
RETURN m.fulName AS fullName
