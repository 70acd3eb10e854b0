package compiled

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/org"
)

// staticRoot answers every orgChart with its chart.
type staticRoot struct {
	*graph.Resolver
	chart *model.Chart
}

type staticQuery struct {
	generated.QueryResolver
	chart *model.Chart
}

func (r staticRoot) Query() generated.QueryResolver { return staticQuery{r.Resolver.Query(), r.chart} }

func (q staticQuery) OrgChart(context.Context, string, *int, []org.Kind, *org.Date, *string) (*model.Chart, error) {
	return q.chart, nil
}

// TestListsWriteOrFallBack: the lists it knows are written by the compiled
// path, which calls Pace; a selection it does not compile (@defer) is left
// to gqlgen; and a list stops with Pace's error, which gqlgen reports on the
// list's path.
func TestListsWriteOrFallBack(t *testing.T) {
	nodes := []org.ChartNode{{Org: org.Org{ID: "a", Name: "Tỉnh \"A\""}}, {Org: org.Org{ID: "b", Kind: org.Cell}, ChartParentID: "a"}}
	links := []org.ResidenceLink{{From: "b", To: "a", Members: 2}}
	chart := model.NewChart(org.DateFrom(2021, 1, 1), nodes, func([]string) ([]org.ResidenceLink, error) { return links, nil })
	var paced int
	var stop error
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: staticRoot{&graph.Resolver{}, chart}}))
	srv.AddTransport(transport.POST{})
	srv.Use(&Lists{Pace: func(context.Context, int) error { paced++; return stop }})
	post := func(query string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"query":`+string(appendString(nil, query))+`}`))
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	for _, tc := range []struct {
		name, query, want string
		paced             int
		stop              error
	}{
		{"compiled", `{ orgChart(rootId: "a") { nodes { id p: parentId __typename kind } links { from memberCount } } }`,
			`{"data":{"orgChart":{"nodes":[{"id":"a","p":null,"__typename":"ChartNode","kind":"PROVINCE"},` +
				`{"id":"b","p":"a","__typename":"ChartNode","kind":"CELL"}],"links":[{"from":"b","memberCount":2}]}}}`, 2, nil},
		{"deferred", `{ orgChart(rootId: "a") { nodes { id ... @defer { name } } } }`, "", 0, nil},
		{"stopped", `{ orgChart(rootId: "a") { nodes { id } } }`,
			`{"errors":[{"message":"context deadline exceeded","path":["orgChart","nodes"]}],"data":null}`, 1, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paced, stop = 0, tc.stop
			got := post(tc.query)
			if tc.want != "" && got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if paced != tc.paced {
				t.Errorf("paced %d times, want %d (%s)", paced, tc.paced, got)
			}
		})
	}
}
