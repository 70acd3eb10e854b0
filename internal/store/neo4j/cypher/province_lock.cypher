// params: ids, commit
// A writing transaction runs this before it reads the records of $ids, and
// holds what it takes until it commits: the write lock on every organisation
// at the top of the structure (a province: it is part of nothing) above the
// organisations of $ids and above those the members of $ids are linked to,
// at any date, taken in id order. Writers of one province so run one at a
// time, each reading what the previous one committed, and writers of
// different provinces run in parallel. The second pass, run after the first
// holds its locks, also locks the top of where a writer that held one
// meanwhile moved something. tops are the organisations locked; applied says
// whether the Update of key $commit already committed (see commit.cypher).
UNWIND [1, 2] AS pass
CALL () {
  CALL () {
    UNWIND $ids AS id
    MATCH (:Org {id: id})-[:PART_OF*0..]->(top:Org)
    WHERE NOT (top)-[:PART_OF]->(:Org)
    RETURN top
    UNION
    UNWIND $ids AS id
    MATCH (:Member {id: id})-[:MEMBER_OF|RESIDES_IN|HOLDS]->(:Org)-[:PART_OF*0..]->(top:Org)
    WHERE NOT (top)-[:PART_OF]->(:Org)
    RETURN top
  }
  WITH top ORDER BY top.id
  SET top.writes = coalesce(top.writes, 0) + 1
  RETURN collect(top.id) AS tops
}
WITH collect(tops) AS passes
RETURN reduce(all = [], t IN passes | all + [id IN t WHERE NOT id IN all]) AS tops,
       EXISTS { (:Commit {key: $commit}) } AS applied
