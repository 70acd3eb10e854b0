// params: id, name
// expect: 3: Label or relationship type Organisation is not in the graph model
CREATE (o:Organisation {id: $id, name: $name})
