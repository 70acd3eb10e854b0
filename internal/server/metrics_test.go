package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/auth"
)

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestMetrics: operations are counted by name and outcome and timed, names
// past the cap count as "other", refusals of the rate limit, websocket
// connections and the store's size are reported; the admin handler serves
// them and the profiler, the public one neither.
func TestMetrics(t *testing.T) {
	m := NewMetrics()
	s := newTestServer(t, Config{Metrics: m, RateLimit: auth.NewRateLimiter(0.001, 1000)})
	s.commune()
	admin := httptest.NewServer(AdminHandler(m))
	t.Cleanup(admin.Close)

	s.post(`query Roots { roots { name } }`, nil)
	s.post(`query Roots { roots { name } }`, nil)
	s.post(`{ org(id: "x", asOf: "2021-13-45") { name } }`, nil)
	s.post(`query Broken { roots { nosuchfield } }`, nil)
	s.post(`query Broken {`, nil)
	for i := range maxOperationNames {
		s.post(fmt.Sprintf(`query Q%d { __typename }`, i), nil)
	}
	for range 1000 - 5 - maxOperationNames + 1 { // the rest of the bucket of 1,000, and one more
		s.post(`{ __typename }`, nil)
	}

	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init"})
	ws.receive("connection_ack")

	_, body := get(t, admin.URL+"/metrics")
	for _, want := range []string{
		`dangbo_graphql_operations_total{code="OK",operation="Roots"} 2`,
		`dangbo_graphql_operations_total{code="BAD_USER_INPUT",operation="anonymous"} 1`,
		`dangbo_graphql_operations_total{code="OK",operation="anonymous"} 795`,
		`dangbo_graphql_operations_total{code="GRAPHQL_VALIDATION_FAILED",operation="invalid"} 1`,
		`dangbo_graphql_operations_total{code="GRAPHQL_PARSE_FAILED",operation="invalid"} 1`,
		`dangbo_graphql_operations_total{code="OK",operation="Q0"} 1`,
		`dangbo_graphql_operations_total{code="OK",operation="Q198"} 1`,
		`dangbo_graphql_operations_total{code="OK",operation="other"} 1`, // Q199: Roots came first,
		`dangbo_graphql_operation_duration_seconds_count{operation="Roots"} 2`,
		`dangbo_graphql_root_field_duration_seconds_count{field="query.roots"} 2`,
		`dangbo_graphql_root_field_duration_seconds_count{field="query.org"} 1`,
		`dangbo_requests_refused_total{limit="rate"} 1`,
		`dangbo_http_requests_total{code="429",handler="graphql"} 1`,
		`dangbo_http_requests_total{code="422",handler="graphql"} 2`,             // a parse and a validation failure
		`dangbo_graphql_cache_lookups_total{cache="documents",result="hit"} 795`, // the second Roots, every { __typename } run but the first
		`dangbo_graphql_cache_lookups_total{cache="documents",result="miss"} 205`,
		`dangbo_store_organisations{kind="GRASSROOTS_COMMITTEE"} 1`,
		`dangbo_store_organisations{kind="CELL"} 2`,
		`dangbo_store_organisations{kind="PROVINCE"} 1`,
		`dangbo_store_members{status="OFFICIAL"} 0`,
		`dangbo_websocket_connections 1`,
		`dangbo_store_call_duration_seconds_count{code="OK",method="Update"} 5`, // the commune's five organisations
	} {
		if !slices.Contains(strings.Split(body, "\n"), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Two queries, and this scrape's own read of the roots unless the
	// registry collected the timings first (it collects concurrently).
	if !slices.Contains(strings.Split(body, "\n"), `dangbo_store_call_duration_seconds_count{code="OK",method="Roots"} 2`) &&
		!slices.Contains(strings.Split(body, "\n"), `dangbo_store_call_duration_seconds_count{code="OK",method="Roots"} 3`) {
		t.Error("/metrics lacks the two queries' reads of the roots")
	}
	if !strings.Contains(body, "\ngo_goroutines ") {
		t.Error("/metrics lacks the Go runtime's")
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(body, "dangbo_"))
	}

	if status, body := get(t, admin.URL+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin /debug/pprof/: %d %.200s", status, body)
	}
	if status, body := get(t, admin.URL+"/debug/pprof/goroutine?debug=1"); status != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("admin goroutine profile: %d %.200s", status, body)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		if status, body := get(t, s.url+path); status != http.StatusNotFound || strings.Contains(body, "goroutine") || strings.Contains(body, "dangbo_") {
			t.Errorf("the public handler serves %s: %d %.200s", path, status, body)
		}
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
