package benchmarks

import (
	"testing"

	"dangbo/internal/server"
)

const subtreeMembersQuery = `query($id: ID!) { org(id: $id) { members(subtree: true, first: 50,
	filter: {status: [OFFICIAL], politicalTheory: [INTERMEDIATE, ADVANCED]}) {
	totalCount edges { cursor node { id fullName status politicalTheory admittedOn } } pageInfo { hasNextPage endCursor } } } }`

// BenchmarkSubtreeMembers: a filtered member page of a district (50 rows,
// two filters, by name) through GraphQL, in-process. Target (issue 18): ≤ 10 ms p50.
func BenchmarkSubtreeMembers(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	body := graphqlBody(subtreeMembersQuery, map[string]any{"id": find(b, svc, "thanh pho ha long").ID})
	latencies(b, func() { serveOnce(b, h, body) })
}

const breakdownQuery = `query($id: ID!, $by: BreakdownBy!) { statistics(orgId: $id) { breakdown(by: $by, year: 2020) { key label count share } } }`

// BenchmarkBreakdown: a breakdown of the whole Quảng Ninh province through
// GraphQL, in-process. Target (issue 18): ≤ 5 ms p50.
func BenchmarkBreakdown(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	id := find(b, svc, "tinh quang ninh").ID
	for _, by := range []string{"MEMBER_RATING", "ORG_RATING"} {
		b.Run(by, func(b *testing.B) {
			body := graphqlBody(breakdownQuery, map[string]any{"id": id, "by": by})
			latencies(b, func() { serveOnce(b, h, body) })
		})
	}
}
