// params: memberId, orgId, since
// expect: 5: Property key sinse is not in the graph model
MATCH (m:Member {id: $memberId})
MATCH (o:Org {id: $orgId})
CREATE (m)-[:MEMBER_OF {sinse: $since}]->(o)
