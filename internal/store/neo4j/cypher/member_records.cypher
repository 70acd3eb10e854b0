// params: ids
UNWIND $ids AS id
MATCH (m:Member {id: id})
RETURN m.id AS id, m.fullName AS fullName, m.gender AS gender, m.admittedOn AS admittedOn,
       m.officialOn AS officialOn, m.theory AS theory, m.birthDate AS birthDate,
       m.ethnicity AS ethnicity, m.phone AS phone, m.email AS email, m.address AS address,
       m.ratingYears AS ratingYears, m.ratingGrades AS ratingGrades, m.ratingDates AS ratingDates, m.rev AS rev,
       [(m)-[s:MEMBER_OF]->(c:Org) | s {.pos, .since, .until, .temporary, orgId: c.id}] AS stints,
       [(m)-[r:RESIDES_IN]->(c:Org) | r {.pos, .since, .until, orgId: c.id}] AS residences,
       [(m)-[h:HOLDS]->(o:Org) | h {.pos, .role, .headOfUnit, .since, .until, orgId: o.id}] AS roles
