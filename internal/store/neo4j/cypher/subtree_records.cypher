// params: id, at
// The organisation, whatever the date, and every organisation below it on the
// date, with the columns of org_records.cypher, counts on the date: a whole chart in one round trip.
MATCH p = (o:Org)-[:PART_OF*0..]->(:Org {id: $id})
WHERE all(r IN relationships(p) WHERE r.since <= $at AND (r.until IS NULL OR $at < r.until))
RETURN o.id AS id, o.code AS code, o.rev AS rev, o.ratingYears AS ratingYears,
       o.ratingGrades AS ratingGrades, o.ratingDates AS ratingDates, o.meetingYears AS meetingYears,
       o.meetingCounts AS meetingCounts, o.meetingDates AS meetingDates,
       CASE WHEN o.changedTo IS NULL OR o.changedTo <= $at THEN o.counts
            ELSE reduce(c = o.counts, later IN [(o)-[:COUNTED]->(d:CountDelta) WHERE d.since > $at | d.counts] |
                   [i IN range(0, size(c) - 1) | c[i] - later[i]]) END AS counts,
       [(o)-[:HAS_VERSION]->(v:OrgVersion) |
        v {.since, .until, .parentId, .name, .kind, .sector}] AS versions
