// params: id
// expect: 4: The query used a deprecated function. ('id' has been replaced by 'elementId
MATCH (o:Org {id: $id})
RETURN id(o) AS nodeId
