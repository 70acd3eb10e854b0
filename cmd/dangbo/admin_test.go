package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var adminListening = regexp.MustCompile(`msg=listening server=admin addr=(http://\S+)`)

// fetch gets url and returns its status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestAdminAddress: with --admin-addr the binary serves metrics and the
// profiler there, and neither on the public address, playground and all.
func TestAdminAddress(t *testing.T) {
	s := start(t, t.TempDir(), "--empty", "--admin-addr", "127.0.0.1:0")
	var admin string
	for deadline := time.Now().Add(10 * time.Second); admin == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := adminListening.FindStringSubmatch(s.log.String()); m != nil {
			admin = m[1]
		}
	}
	if admin == "" {
		t.Fatalf("no admin address in the log:\n%s", s.log)
	}
	var r struct{ Roots []struct{ Name string } }
	s.query(&r, `query AdminTest { roots { name } }`, nil)
	_, metrics := fetch(t, admin+"/metrics")
	for _, want := range []string{
		`dangbo_graphql_operations_total{code="OK",operation="AdminTest"} 1`,
		`dangbo_store_members{status="OFFICIAL"} 0`,
		`dangbo_requests_refused_total{limit="rate"} 0`,
		`dangbo_requests_refused_total{limit="in_flight"} 0`,
		`dangbo_store_call_duration_seconds_count{code="OK",method="Roots"}`, // the query's, and the scrape's
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("admin /metrics lacks %s", want)
		}
	}
	if status, body := fetch(t, admin+"/debug/pprof/goroutine?debug=1"); status != http.StatusOK || !strings.Contains(body, "goroutine profile:") {
		t.Errorf("admin goroutine profile: %d %.200s", status, body)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/heap"} {
		if _, body := fetch(t, s.url+path); strings.Contains(body, "goroutine") || strings.Contains(body, "dangbo_graphql") || strings.Contains(body, "heap profile") {
			t.Errorf("the public address serves %s: %.200s", path, body)
		}
	}
}

// TestNoAdminAddressByDefault: without --admin-addr nothing listens for it.
func TestNoAdminAddressByDefault(t *testing.T) {
	s := start(t, t.TempDir(), "--empty")
	if strings.Contains(s.log.String(), "server=admin") {
		t.Fatalf("an admin server by default:\n%s", s.log)
	}
}
