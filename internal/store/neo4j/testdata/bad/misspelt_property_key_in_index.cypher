// params:
// expect: 4: Property key namekey is not in the graph model
CREATE FULLTEXT INDEX org_names IF NOT EXISTS
FOR (v:OrgVersion) ON EACH [v.namekey]
