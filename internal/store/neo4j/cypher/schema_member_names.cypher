// params:
// Full-text index over member names; see schema_org_names.cypher for the analyzer.
CREATE FULLTEXT INDEX member_names IF NOT EXISTS
FOR (m:Member) ON EACH [m.nameKey]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}
