// params: rows
// Sets every property of each organisation; a null value removes the property.
UNWIND $rows AS row
MERGE (o:Org {id: row.id})
SET o.code = row.code, o.rev = row.rev, o.name = row.name, o.nameKey = row.nameKey,
    o.kind = row.kind, o.sector = row.sector, o.established = row.established,
    o.ended = row.ended, o.ratingYears = row.ratingYears, o.ratingGrades = row.ratingGrades,
    o.meetingYears = row.meetingYears, o.meetingCounts = row.meetingCounts
