// params: query
// expect: 3: Unknown procedure output: `nodes`
CALL db.index.fulltext.queryNodes('org_names', $query) YIELD nodes, score
RETURN nodes.nameKey AS nameKey, score
