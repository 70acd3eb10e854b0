// params: id
// The organisations that ever had the organisation as their parent: every
// version with a parent has a PART_OF over the same span.
MATCH (child:Org)-[:PART_OF]->(:Org {id: $id})
RETURN DISTINCT child.id AS id
ORDER BY id
