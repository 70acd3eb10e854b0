// params: id
// expect: 4: Invalid input 'RETURN'
MATCH (o:Org {id: $id}
RETURN o.name AS name
