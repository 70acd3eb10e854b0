// params: orgs, members
// Sets the ratings and meetings of each organisation of $orgs, {id,
// ratingYears, ratingGrades, ratingDates, meetingYears, meetingCounts,
// meetingDates}, and the ratings of each member of $members, {id,
// ratingYears, ratingGrades, ratingDates}, with the decision dates layout 2
// lacked (parallel lists, see commit.cypher). Returns how many it matched.
CALL () {
  UNWIND $orgs AS row
  MATCH (o:Org {id: row.id})
  SET o.ratingYears = row.ratingYears, o.ratingGrades = row.ratingGrades, o.ratingDates = row.ratingDates,
      o.meetingYears = row.meetingYears, o.meetingCounts = row.meetingCounts, o.meetingDates = row.meetingDates
  RETURN count(*) AS orgs
}
CALL () {
  UNWIND $members AS row
  MATCH (m:Member {id: row.id})
  SET m.ratingYears = row.ratingYears, m.ratingGrades = row.ratingGrades, m.ratingDates = row.ratingDates
  RETURN count(*) AS members
}
RETURN orgs, members
