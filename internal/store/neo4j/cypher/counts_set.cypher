// params: rows
UNWIND $rows AS row
MATCH (o:Org {id: row.id})
SET o.counts = row.counts
