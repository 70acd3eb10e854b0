// params: rows
// Sets every property of each member; a null value removes the property.
UNWIND $rows AS row
MERGE (m:Member {id: row.id})
SET m.fullName = row.fullName, m.nameKey = row.nameKey, m.gender = row.gender,
    m.admittedOn = row.admittedOn, m.officialOn = row.officialOn, m.theory = row.theory,
    m.birthDate = row.birthDate, m.ethnicity = row.ethnicity, m.phone = row.phone,
    m.email = row.email, m.address = row.address, m.ratingYears = row.ratingYears,
    m.ratingGrades = row.ratingGrades, m.rev = row.rev
