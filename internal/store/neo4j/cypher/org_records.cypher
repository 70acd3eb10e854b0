// params: ids
UNWIND $ids AS id
MATCH (o:Org {id: id})
RETURN o.id AS id, o.code AS code, o.rev AS rev, o.ratingYears AS ratingYears,
       o.ratingGrades AS ratingGrades, o.meetingYears AS meetingYears,
       o.meetingCounts AS meetingCounts, o.counts AS counts,
       [(o)-[:HAS_VERSION]->(v:OrgVersion) |
        v {.since, .until, .parentId, .name, .kind, .sector}] AS versions
