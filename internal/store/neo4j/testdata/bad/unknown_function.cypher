// params: id
// expect: 4: Function toLowr is not present in the database
MATCH (o:Org {id: $id})
RETURN toLowr(o.name) AS name
