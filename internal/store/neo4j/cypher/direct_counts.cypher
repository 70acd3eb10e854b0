// params: ids
// Members whose official cell each organisation is in the open-ended state.
// From the horizon on, every recorded officialOn has passed.
UNWIND $ids AS id
MATCH (o:Org {id: id})
RETURN id,
       COUNT {
         MATCH (m:Member)-[s:MEMBER_OF]->(o)
         WHERE s.until IS NULL AND NOT s.temporary AND m.officialOn IS NOT NULL
       } AS official,
       COUNT {
         MATCH (m:Member)-[s:MEMBER_OF]->(o)
         WHERE s.until IS NULL AND NOT s.temporary AND m.officialOn IS NULL
       } AS probationary
