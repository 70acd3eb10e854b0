// params: id
// expect: 3: Label Person is not present in the database
MATCH (m:Person {id: $id})
RETURN m.fullName AS fullName
