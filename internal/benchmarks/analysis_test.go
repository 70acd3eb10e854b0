package benchmarks

import (
	"net/http"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/server"
)

const subtreeMembersQuery = `query($id: ID!) { org(id: $id) { members(subtree: true, first: 50,
	filter: {status: [OFFICIAL], politicalTheory: [INTERMEDIATE, ADVANCED]}) {
	totalCount edges { cursor node { id fullName status politicalTheory admittedOn } } pageInfo { hasNextPage endCursor } } } }`

// BenchmarkSubtreeMembers: a filtered member page of a district (50 rows,
// two filters, by name) through GraphQL, in-process, as the dev admin and as
// a viewer of the district, whose scope the page is read through. Target
// (issue 18): ≤ 10 ms p50.
func BenchmarkSubtreeMembers(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc})
	district := find(b, svc, "thanh pho ha long").ID
	body := graphqlBody(subtreeMembersQuery, map[string]any{"id": district})
	b.Run("admin", func(b *testing.B) { latencies(b, func() { serveOnce(b, h, body) }) })
	viewer := withToken(h, token(b, org.Viewer, district))
	b.Run("viewer", func(b *testing.B) { latencies(b, func() { serveOnce(b, viewer, body) }) })
}

// withToken serves h's requests with a bearer token.
func withToken(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		h.ServeHTTP(w, r)
	})
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
