package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// TestCORS: an allowed origin's preflight is answered with the methods,
// headers and max-age a fetch with a token needs, and its request with its
// origin; another origin gets no CORS header at all, preflight or not.
func TestCORS(t *testing.T) {
	const allowed, other = "http://frontend.example:3000", "http://evil.example"
	s := newTestServer(t, Config{CORS: CORS{Origins: []string{allowed}}})
	do := func(method, origin string, header map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.url+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}

	resp := do(http.MethodOptions, allowed, preflight)
	h := resp.Header
	if resp.StatusCode/100 != 2 || h.Get("Access-Control-Allow-Origin") != allowed ||
		h.Get("Access-Control-Allow-Methods") != "POST" || h.Get("Access-Control-Max-Age") != "600" ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type") ||
		h.Get("Access-Control-Allow-Credentials") != "" || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
		t.Fatalf("allowed preflight: %d %v", resp.StatusCode, h)
	}
	resp = do(http.MethodPost, allowed, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != allowed ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") ||
		!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
		t.Fatalf("allowed request: %d %v", resp.StatusCode, resp.Header)
	}
	for _, method := range []string{http.MethodOptions, http.MethodPost} {
		resp := do(method, other, preflight)
		for k := range resp.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s from %s: %s: %v", method, other, k, resp.Header[k])
			}
		}
	}
}

func TestParseCORSOrigins(t *testing.T) {
	got, err := ParseCORSOrigins(" https://a.example , http://127.0.0.1:5173/,", false)
	if err != nil || strings.Join(got, " ") != "https://a.example http://127.0.0.1:5173" {
		t.Fatalf("got %q, %v", got, err)
	}
	if got, err := ParseCORSOrigins("*", false); err != nil || len(got) != 1 {
		t.Fatalf("*: %q, %v", got, err)
	}
	for _, bad := range []string{"a.example", "https://a.example/app", "ftp://a.example", "https://"} {
		if _, err := ParseCORSOrigins(bad, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseCORSOrigins("https://a.example,*", true); err == nil {
		t.Error("* with credentials accepted")
	}
	if _, err := ParseCORSOrigins("https://a.example", true); err != nil {
		t.Error(err)
	}
}

// TestWebsocketOrigins: a websocket opens from the service's own origin and
// from one CORS allows, never from another: browsers open sockets across
// origins without a preflight.
func TestWebsocketOrigins(t *testing.T) {
	const allowed = "http://frontend.example:3000"
	for _, c := range []struct {
		cors   []string
		origin string
		opens  bool
	}{
		{nil, "", true},
		{nil, "self", true},
		{nil, allowed, false},
		{[]string{allowed}, allowed, true},
		{[]string{allowed}, "self", true},
		{[]string{allowed}, "http://evil.example", false},
		{[]string{"*"}, "http://evil.example", true},
	} {
		s := newTestServer(t, Config{CORS: CORS{Origins: c.cors}})
		h := http.Header{"Sec-WebSocket-Protocol": {"graphql-transport-ws"}}
		switch c.origin {
		case "":
		case "self":
			h.Set("Origin", s.url)
		default:
			h.Set("Origin", c.origin)
		}
		conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/graphql", h)
		if err == nil {
			conn.Close()
		}
		if opens := err == nil; opens != c.opens || !opens && resp.StatusCode != http.StatusForbidden {
			t.Errorf("CORS %v, origin %q: opens %v (%v), want %v", c.cors, c.origin, opens, err, c.opens)
		}
	}
}
