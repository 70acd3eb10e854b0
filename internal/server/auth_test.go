package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"dangbo/internal/auth"
	"dangbo/internal/org"
	"dangbo/internal/playground"
)

var testSecret = []byte("a secret of thirty-two bytes or more, for tests")

// newAuthServer is a test server whose GraphQL endpoint needs a token, and
// mint gives tokens that it accepts.
func newAuthServer(t *testing.T, cfg Config) (s *testServer, mint func(subject string, role org.AccessRole) string) {
	t.Helper()
	a, err := auth.New(t.Context(), auth.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth = a
	return newTestServer(t, cfg), func(subject string, role org.AccessRole) string {
		token, err := a.Mint(&org.Principal{Subject: subject, Roles: []org.AccessRole{role}, Scope: []string{"org-1"}}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
}

// postAs posts a query with the given bearer token (none when empty).
func (s *testServer) postAs(token, query string) *gqlResponse {
	s.t.Helper()
	s.token = token
	return s.post(query, nil)
}

// TestAuthGuardsGraphQLOnly: the GraphQL endpoint needs a token; health
// checks and the playground's page and assets do not.
func TestAuthGuardsGraphQLOnly(t *testing.T) {
	s, mint := newAuthServer(t, Config{Playground: playground.New(playground.Options{})})
	r := s.postAs("", `{ __typename }`)
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") ||
		len(r.codes()) != 1 || r.codes()[0] != org.EUnauthorized {
		t.Fatalf("without a token: %+v", r)
	}
	if r := s.postAs("x.y.z", `{ __typename }`); r.status != http.StatusUnauthorized || r.codes()[0] != org.EUnauthorized {
		t.Fatalf("with a malformed token: %+v", r)
	}
	if r := s.postAs(mint("viewer-1", org.Viewer), `{ __typename }`); r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Fatalf("with a token: %+v", r)
	}

	// A query posing as a websocket handshake passes the middleware without a
	// token, but only the websocket transport takes it, and runs nothing
	// before connection_init.
	req, _ := http.NewRequest("GET", s.url+"/graphql?query=%7B__typename%7D", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || strings.Contains(string(answer), "Query") {
		t.Fatalf("a fake handshake: %d %s", resp.StatusCode, answer)
	}

	resp, err = http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	script := regexp.MustCompile(`src="(` + strings.TrimPrefix(playground.AssetPath, "/") + `[^"]+)"`).FindSubmatch(page)
	if script == nil {
		t.Fatalf("no script in the playground's page:\n%s", page)
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/" + string(script[1])} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s without a token: %d", path, resp.StatusCode)
		}
	}
}

// TestRateLimitPerCaller: the limit counts per token subject, after
// authentication, and leaves health checks alone.
func TestRateLimitPerCaller(t *testing.T) {
	s, mint := newAuthServer(t, Config{RateLimit: auth.NewRateLimiter(0.01, 2)})
	first, second := mint("can-bo-1", org.Viewer), mint("can-bo-2", org.Viewer)
	for range 2 {
		if r := s.postAs(first, `{ __typename }`); r.status != http.StatusOK {
			t.Fatalf("within the burst: %+v", r)
		}
	}
	r := s.postAs(first, `{ __typename }`)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "100" || r.codes()[0] != org.ELimitExceeded {
		t.Fatalf("over the burst: Retry-After %q, %+v", r.header.Get("Retry-After"), r)
	}
	if r := s.postAs(second, `{ __typename }`); r.status != http.StatusOK {
		t.Fatalf("another caller: %+v", r)
	}
	if r := s.postAs("", `{ __typename }`); r.status != http.StatusUnauthorized {
		t.Fatalf("no token is refused before it counts: %+v", r)
	}
	if resp, err := http.Get(s.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
}

// TestWebsocketNeedsAToken: the token comes in connection_init; without it
// the server closes the connection before any operation runs.
func TestWebsocketNeedsAToken(t *testing.T) {
	s, mint := newAuthServer(t, Config{})

	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + mint("can-bo-1", org.Admin)}})
	ws.receive("connection_ack")
	// The domain refuses a read without a principal: an answer shows that the
	// token's principal reached the operation.
	ws.send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": `{ roots { name } }`}})
	if m := ws.receive("next"); string(m.Payload) != `{"data":{"roots":[]}}` {
		t.Fatalf("answer = %s", m.Payload)
	}

	// A token in the handshake's header serves too (clients that can set one).
	ws = s.dialWebsocket(http.Header{"Authorization": []string{"Bearer " + mint("can-bo-2", org.Viewer)}})
	ws.send(map[string]any{"type": "connection_init"})
	ws.receive("connection_ack")

	// A refused connection_init closes the socket with 4403 Forbidden, as
	// graphql-transport-ws asks, the reason in Vietnamese and short enough
	// for a close frame.
	exp := time.Now().Add(-time.Hour)
	expired, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "can-bo-1", "roles": []string{"admin"}, "exp": exp.Unix(), "iat": exp.Add(-time.Minute).Unix(),
	}).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, payload := range []map[string]any{nil, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer " + expired}} {
		ws := s.dialWebsocket(nil)
		ws.send(map[string]any{"type": "connection_init", "payload": payload})
		var m wsMessage
		err := ws.conn.ReadJSON(&m)
		var closed *websocket.CloseError
		if !errors.As(err, &closed) || closed.Code != 4403 || !isVietnamese(closed.Text) || len(closed.Text) > 123 {
			t.Fatalf("connection_init with %v: got %+v, %v; want the connection closed with 4403 and a Vietnamese reason", payload, m, err)
		}
	}
}

// TestWebsocketEndsWithItsToken: a socket opened with a token ends when the
// token expires, with the leeway an HTTP request gets, and runs nothing after.
func TestWebsocketEndsWithItsToken(t *testing.T) {
	s, _ := newAuthServer(t, Config{})
	// Expired 29 s ago: still within the 30 s leeway, for about a second more.
	exp := time.Now().Add(time.Second - auth.Leeway)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "can-bo-1", "roles": []string{"admin"}, "exp": exp.Unix(), "iat": exp.Add(-time.Minute).Unix(),
	}).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	ws.receive("connection_ack")
	_ = ws.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m wsMessage
		err := ws.conn.ReadJSON(&m)
		if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			break
		}
		if err != nil {
			t.Fatalf("the socket was not closed when its token expired: %v", err)
		}
	}
	if err := ws.conn.WriteJSON(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": `{ roots { name } }`}}); err == nil {
		var m wsMessage
		if err := ws.conn.ReadJSON(&m); err == nil {
			t.Fatalf("an operation ran after the close: %s %s", m.Type, m.Payload)
		}
	}
}

// TestWebsocketOperationsAreRateLimited: each operation over a socket takes
// from its caller's bucket, the one their HTTP requests use.
func TestWebsocketOperationsAreRateLimited(t *testing.T) {
	s, mint := newAuthServer(t, Config{RateLimit: auth.NewRateLimiter(0.01, 3)})
	token := mint("can-bo-1", org.Viewer)
	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	ws.receive("connection_ack")
	var limited int
	for i := range 10 {
		ws.send(map[string]any{"type": "subscribe", "id": fmt.Sprint(i), "payload": map[string]any{"query": `{ __typename }`}})
		m := ws.receive("next")
		if strings.Contains(string(m.Payload), org.ELimitExceeded) {
			limited++
		} else if string(m.Payload) != `{"data":{"__typename":"Query"}}` {
			t.Fatalf("operation %d: %s", i, m.Payload)
		}
		ws.receive("complete")
	}
	if limited != 7 {
		t.Fatalf("%d of 10 operations over a burst of 3 were limited", limited)
	}
	if r := s.postAs(token, `{ __typename }`); r.status != http.StatusTooManyRequests {
		t.Fatalf("the caller's HTTP request after the socket's burst: %d", r.status)
	}
}
