package benchmarks

import (
	"bytes"
	"net/http"
	"testing"
	"time"

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

// The largest member page, of plain fields: what the compiled marshallers
// write for a member list.
const memberPageQuery = `query($id: ID!) { org(id: $id) { members(subtree: true, first: 500) {
	edges { cursor node { id fullName gender status admittedOn politicalTheory ratings { year rating } } } } } }`

// BenchmarkMemberPageCompiled: a page of 500 members of a district, in-process,
// written by the compiled marshallers against gqlgen's own execution,
// alternating runs of 40 requests; and the heap each answer allocates.
func BenchmarkMemberPageCompiled(b *testing.B) {
	store, svc := loadDemo(b)
	compiled := handler(b, server.Config{Store: store, Service: svc})
	gqlgen := handler(b, server.Config{Store: store, Service: svc, GqlgenLists: true})
	body := graphqlBody(memberPageQuery, map[string]any{"id": find(b, svc, "thanh pho ha long").ID})
	if !bytes.Equal(serveOnce(b, compiled, body), serveOnce(b, gqlgen, body)) {
		b.Fatal("the compiled answer differs from gqlgen's")
	}
	var comp, gql []time.Duration
	for round := range 4 {
		for _, side := range []struct {
			h   http.Handler
			p50 *[]time.Duration
		}{{compiled, &comp}, {gqlgen, &gql}} {
			var took []time.Duration
			for range 40 {
				start := time.Now()
				serveOnce(b, side.h, body)
				took = append(took, time.Since(start))
			}
			if round > 0 { // the first round warms up
				*side.p50 = append(*side.p50, median(took))
			}
		}
	}
	c, g := median(comp), median(gql)
	b.ReportMetric(float64(c.Microseconds()), "p50-µs")
	b.ReportMetric(float64(g.Microseconds()), "gqlgen-p50-µs")
	b.ReportMetric(float64(g)/float64(c), "gqlgen÷compiled")
	for _, side := range []struct {
		name string
		h    http.Handler
	}{{"", compiled}, {"gqlgen-", gqlgen}} {
		allocs, bytes := heapPerRequest(b, side.h, body)
		b.ReportMetric(allocs, side.name+"allocs/req")
		b.ReportMetric(bytes/(1<<10), side.name+"KiB/req")
	}
}
