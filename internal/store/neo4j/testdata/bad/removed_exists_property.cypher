// params: id
// expect: 4: The property existence syntax `... exists(variable.property)` is no longer supported
MATCH (o:Org {id: $id})
WHERE exists(o.ended)
RETURN o.id AS id
