// params: ids
// The organisations of ids and every one above them at any date, with the
// columns of org_records.cypher: what a write recounts from.
UNWIND $ids AS id
MATCH (:Org {id: id})-[:PART_OF*0..]->(o:Org)
WITH DISTINCT o
RETURN o.id AS id, o.code AS code, o.rev AS rev, o.ratingYears AS ratingYears,
       o.ratingGrades AS ratingGrades, o.ratingDates AS ratingDates, o.meetingYears AS meetingYears,
       o.meetingCounts AS meetingCounts, o.meetingDates AS meetingDates, o.counts AS counts,
       [(o)-[:HAS_VERSION]->(v:OrgVersion) |
        v {.since, .until, .parentId, .name, .kind, .sector}] AS versions
