// params: key, orgs, orgFacts, versions, parts, members, memberFacts, stints, residences, roles, changes, rescoped, counts, countChanges, audit, changeSeq, revised, commit, at
// Every write in one statement, each part in its turn (an empty list writes
// nothing): organisations, their versions and PART_OF (replacing those of
// $orgFacts; every parent must exist), members and their facts (replacing
// those of $memberFacts), changes linked WITHIN their scope, changes recorded
// before with their scopes rewritten ($rescoped: seq and scope) and linked
// again, counts of the
// open-ended state with the date of their latest change (changedTo, raised
// only) and dated changes of counts, added to those of the same organisation
// and date, then the Meta node (history counter raised to
// $changeSeq, revision when $revised), audit entries numbered by its counter and the Update's key
// ($commit, when not null) that a run again after a lost acknowledgement
// finds (meta_lock). Returns how many facts, changes and links it created, so
// that a record pointing to a missing organisation is noticed.
CALL () {
  UNWIND $orgs AS row
  MERGE (o:Org {id: row.id})
  SET o.code = row.code, o.rev = row.rev, o.name = row.name, o.nameKey = row.nameKey,
      o.kind = row.kind, o.sector = row.sector, o.established = row.established,
      o.ended = row.ended, o.ratingYears = row.ratingYears, o.ratingGrades = row.ratingGrades,
      o.ratingDates = row.ratingDates, o.meetingYears = row.meetingYears,
      o.meetingCounts = row.meetingCounts, o.meetingDates = row.meetingDates
}
CALL () {
  UNWIND $orgFacts AS id
  MATCH (o:Org {id: id})
  CALL (o) {
    MATCH (o)-[p:PART_OF]->(:Org)
    DELETE p
  }
  CALL (o) {
    MATCH (o)-[:HAS_VERSION]->(v:OrgVersion)
    DETACH DELETE v
  }
}
CALL () {
  UNWIND $versions AS row
  MATCH (o:Org {id: row.id})
  CREATE (o)-[:HAS_VERSION]->(:OrgVersion {
    since: row.since, until: row.until, parentId: row.parentId,
    name: row.name, nameKey: row.nameKey, kind: row.kind, sector: row.sector
  })
  RETURN count(*) AS versions
}
CALL () {
  UNWIND $parts AS row
  MATCH (o:Org {id: row.id})
  MATCH (parent:Org {id: row.parentId})
  CREATE (o)-[:PART_OF {since: row.since, until: row.until}]->(parent)
  RETURN count(*) AS parts
}
CALL () {
  UNWIND $members AS row
  MERGE (m:Member {id: row.id})
  SET m.fullName = row.fullName, m.nameKey = row.nameKey, m.gender = row.gender,
      m.admittedOn = row.admittedOn, m.officialOn = row.officialOn, m.theory = row.theory,
      m.birthDate = row.birthDate, m.ethnicity = row.ethnicity, m.phone = row.phone,
      m.email = row.email, m.address = row.address, m.ratingYears = row.ratingYears,
      m.ratingGrades = row.ratingGrades, m.ratingDates = row.ratingDates, m.rev = row.rev
}
CALL () {
  UNWIND $memberFacts AS id
  MATCH (m:Member {id: id})
  CALL (m) {
    MATCH (m)-[f:MEMBER_OF|RESIDES_IN|HOLDS]->(:Org)
    DELETE f
  }
}
CALL () {
  UNWIND $stints AS row
  MATCH (m:Member {id: row.id})
  MATCH (cell:Org {id: row.orgId})
  CREATE (m)-[:MEMBER_OF {
    pos: row.pos, since: row.since, until: row.until, temporary: row.temporary
  }]->(cell)
  RETURN count(*) AS stints
}
CALL () {
  UNWIND $residences AS row
  MATCH (m:Member {id: row.id})
  MATCH (cell:Org {id: row.orgId})
  CREATE (m)-[:RESIDES_IN {pos: row.pos, since: row.since, until: row.until}]->(cell)
  RETURN count(*) AS residences
}
CALL () {
  UNWIND $roles AS row
  MATCH (m:Member {id: row.id})
  MATCH (o:Org {id: row.orgId})
  CREATE (m)-[:HOLDS {
    pos: row.pos, role: row.role, headOfUnit: row.headOfUnit, since: row.since, until: row.until
  }]->(o)
  RETURN count(*) AS roles
}
CALL () {
  UNWIND $changes AS row
  CREATE (c:Change {
    seq: row.seq, type: row.type, effectiveOn: row.effectiveOn,
    decisionNumber: row.decisionNumber, decisionKey: row.decisionKey, decisionDate: row.decisionDate, issuerId: row.issuerId,
    note: row.note, actor: row.actor, recordedAt: row.recordedAt,
    subjects: row.subjects, scope: row.scope, before: row.before, after: row.after
  })
  WITH c
  CALL (c) {
    UNWIND c.scope AS id
    MATCH (o:Org {id: id})
    CREATE (c)-[:WITHIN]->(o)
    RETURN count(*) AS links
  }
  RETURN count(c) AS changes, coalesce(sum(links), 0) AS links
}
CALL () {
  UNWIND $rescoped AS row
  MATCH (c:Change {seq: row.seq})
  SET c.scope = row.scope
  WITH c
  CALL (c) {
    MATCH (c)-[w:WITHIN]->(:Org)
    DELETE w
  }
  CALL (c) {
    UNWIND c.scope AS id
    MATCH (o:Org {id: id})
    CREATE (c)-[:WITHIN]->(o)
    RETURN count(*) AS relinked
  }
  RETURN count(c) AS rescoped, coalesce(sum(relinked), 0) AS relinks
}
CALL () {
  UNWIND $counts AS row
  MATCH (o:Org {id: row.id})
  SET o.counts = row.counts,
      o.changedTo = CASE WHEN o.changedTo IS NULL OR o.changedTo < row.changedTo THEN row.changedTo ELSE o.changedTo END
}
CALL () {
  UNWIND $countChanges AS row
  MATCH (o:Org {id: row.id})
  MERGE (o)-[:COUNTED]->(d:CountDelta {since: row.since})
  SET d.counts = CASE WHEN d.counts IS NULL THEN row.counts
                      ELSE [i IN range(0, size(row.counts) - 1) | d.counts[i] + row.counts[i]] END
}
// The audit counter is raised once by the number of entries, then each entry
// takes the number after the old value plus its index: a per-row SET read
// back in the CREATE would be read once by Neo4j's eagerness analysis, and
// every entry would take the last number.
MERGE (meta:Meta {key: $key})
SET meta.changeSeq = CASE WHEN $changeSeq > coalesce(meta.changeSeq, 0) THEN $changeSeq ELSE meta.changeSeq END,
    meta.revision = coalesce(meta.revision, 0) + CASE WHEN $revised THEN 1 ELSE 0 END,
    meta.auditSeq = coalesce(meta.auditSeq, 0) + size($audit)
WITH meta.auditSeq - size($audit) AS last, versions, parts, stints, residences, roles, changes, links, rescoped, relinks
CALL (last) {
  UNWIND range(0, size($audit) - 1) AS i
  WITH last + i + 1 AS seq, $audit[i] AS e
  CREATE (:Audit {
    seq: seq, at: e.at, subject: e.subject, roles: e.roles, address: e.address,
    action: e.action, target: e.target, outcome: e.outcome
  })
}
CALL () {
  UNWIND CASE WHEN $commit IS NULL THEN [] ELSE [$commit] END AS key
  CREATE (:Commit {key: key, at: $at})
}
RETURN versions, parts, stints, residences, roles, changes, links, rescoped, relinks
