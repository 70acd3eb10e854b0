// params: ids
// The counts of each organisation of ids through time: those of the
// open-ended state and their dated changes, what a write that puts the
// organisation adds its own changes to.
UNWIND $ids AS id
MATCH (o:Org {id: id})
RETURN id, o.counts AS counts,
       [(o)-[:COUNTED]->(d:CountDelta) | d {.since, .counts}] AS changes
