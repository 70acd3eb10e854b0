// params: asks, roots
// The positions in asks ({at, id}) of the organisations that exist on their
// date and are one of roots or lie under one of them that day: the history
// asks about the dates of a page of changes in one statement.
UNWIND range(0, size($asks) - 1) AS i
WITH i, $asks[i] AS ask
MATCH (o:Org {id: ask.id})
WHERE EXISTS {
        MATCH (o)-[:HAS_VERSION]->(v:OrgVersion)
        WHERE v.since <= ask.at AND (v.until IS NULL OR ask.at < v.until)
      }
  AND EXISTS {
        MATCH p = (o)-[:PART_OF*0..]->(r:Org)
        WHERE r.id IN $roots
          AND all(rel IN relationships(p) WHERE rel.since <= ask.at AND (rel.until IS NULL OR ask.at < rel.until))
      }
RETURN i
