// params: memberId, orgId, since
// expect: 5: Label or relationship type MEMBERS_OF is not in the graph model
MATCH (m:Member {id: $memberId})
MATCH (o:Org {id: $orgId})
MERGE (m)-[:MEMBERS_OF {since: $since}]->(o)
