// params: id, at
MATCH (:Org {id: $id})<-[r:PART_OF]-(child:Org)
WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until)
RETURN child.id AS id
