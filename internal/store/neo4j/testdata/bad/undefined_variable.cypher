// params: id
// expect: 4: Variable `parent` not defined
MATCH (o:Org {id: $id})
RETURN parent.name AS name
