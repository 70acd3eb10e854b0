// params: ids, at
// The records of ids, with their counts on the date: those of the open-ended
// state less the changes dated after it (see commit.cypher), which a date on
// or after the latest change (changedTo) does not read.
UNWIND $ids AS id
MATCH (o:Org {id: id})
RETURN o.id AS id, o.code AS code, o.rev AS rev, o.ratingYears AS ratingYears,
       o.ratingGrades AS ratingGrades, o.ratingDates AS ratingDates, o.meetingYears AS meetingYears,
       o.meetingCounts AS meetingCounts, o.meetingDates AS meetingDates,
       CASE WHEN o.changedTo IS NULL OR o.changedTo <= $at THEN o.counts
            ELSE reduce(c = o.counts, later IN [(o)-[:COUNTED]->(d:CountDelta) WHERE d.since > $at | d.counts] |
                   [i IN range(0, size(c) - 1) | c[i] - later[i]]) END AS counts,
       [(o)-[:HAS_VERSION]->(v:OrgVersion) |
        v {.since, .until, .parentId, .name, .kind, .sector}] AS versions
