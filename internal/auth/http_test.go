package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"dangbo/internal/org"
)

// whoCalls answers with the subject and address of the request's principal,
// "-" for none.
var whoCalls = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	who := "-"
	if p, ok := org.PrincipalFrom(r.Context()); ok {
		who = p.Subject + " from " + p.Address
	}
	_, _ = w.Write([]byte(who))
})

// errorBody is the GraphQL-shaped body of a refused request.
type errorBody struct {
	Errors []struct {
		Message    string
		Extensions struct{ Code string }
	}
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) (message, code string) {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return body.Errors[0].Message, body.Errors[0].Extensions.Code
}

func mint(t testing.TB, a *Authenticator, p *org.Principal) string {
	t.Helper()
	token, err := a.Mint(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

var viewer = &org.Principal{Subject: "viewer-1", Roles: []org.AccessRole{org.Viewer}, Scope: []string{"org-1"}}

func TestMiddleware(t *testing.T) {
	for _, dev := range []bool{false, true} {
		a := newAuth(t, Config{Secret: testSecret, Dev: dev})
		h := a.Middleware(whoCalls)
		other := newAuth(t, Config{Secret: []byte(strings.Repeat("k", 32))})
		noToken := &org.Error{Code: org.EUnauthorized, Message: errNoToken.Message}
		if dev {
			noToken = nil
		}
		for _, tc := range []struct {
			name, authorization string
			refused             *org.Error // nil: let through
			who                 string     // the principal's subject and address
		}{
			{"no token", "", noToken, "dev from 192.0.2.1"},
			{"a valid token", "Bearer " + mint(t, a, viewer), nil, "viewer-1 from 192.0.2.1"},
			{"the scheme in lower case", "bearer " + mint(t, a, viewer), nil, "viewer-1 from 192.0.2.1"},
			{"another scheme", "Basic dXNlcjpwYXNz", errNotBearer, ""},
			{"Bearer without a token", "Bearer ", errNotBearer, ""},
			{"a token without a scheme", mint(t, a, viewer), errNotBearer, ""},
			{"a token of another secret", "Bearer " + mint(t, other, viewer), errSignature, ""},
			{"garbage", "Bearer not-a-jwt", errMalformed, ""},
		} {
			t.Run(map[bool]string{false: "secret/", true: "dev/"}[dev]+tc.name, func(t *testing.T) {
				r := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ roots { id } }"}`))
				if tc.authorization != "" {
					r.Header.Set("Authorization", tc.authorization)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if tc.refused == nil {
					if rec.Code != http.StatusOK || rec.Body.String() != tc.who {
						t.Fatalf("got %d %q, want %q through", rec.Code, rec.Body, tc.who)
					}
					return
				}
				message, code := decodeError(t, rec)
				challenge := rec.Header().Get("WWW-Authenticate")
				if rec.Code != http.StatusUnauthorized || code != org.EUnauthorized || message != tc.refused.Message ||
					!strings.HasPrefix(challenge, "Bearer ") {
					t.Fatalf("got %d %s %q, challenge %q; want 401 %q", rec.Code, code, message, challenge, tc.refused.Message)
				}
				if invalid := strings.Contains(challenge, `error="invalid_token"`); invalid != (tc.authorization != "") {
					t.Errorf("challenge %q for Authorization %q", challenge, tc.authorization)
				}
			})
		}
	}
}

// A websocket handshake needs no header: the token comes in connection_init.
func TestMiddlewarePassesWebsocketHandshakes(t *testing.T) {
	h := newAuth(t, Config{Secret: testSecret}).Middleware(whoCalls)
	handshake := func(method string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/graphql", nil)
		r.Header.Set("Connection", "Upgrade")
		r.Header.Set("Upgrade", "websocket")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	if rec := handshake("GET"); rec.Code != http.StatusOK || rec.Body.String() != "-" {
		t.Fatalf("handshake: %d %q", rec.Code, rec.Body)
	}
	if rec := handshake("POST"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("a POST claiming an upgrade: %d %q", rec.Code, rec.Body)
	}
}

func TestWebsocketInit(t *testing.T) {
	a := newAuth(t, Config{Secret: testSecret})
	dev := newAuth(t, Config{Secret: testSecret, Dev: true})
	token := mint(t, a, viewer)
	// What the middleware left in the handshake's context.
	handshake := context.WithValue(t.Context(), addressKey{}, "198.51.100.7")
	fromHeader := org.WithPrincipal(handshake, &org.Principal{Subject: "from-header", Roles: []org.AccessRole{org.Admin}, Address: "198.51.100.7"})
	for _, tc := range []struct {
		name    string
		a       *Authenticator
		ctx     context.Context
		payload transport.InitPayload
		subject string     // of the principal put into the context
		refused *org.Error // nil: accepted
	}{
		{"Authorization", a, handshake, transport.InitPayload{"Authorization": "Bearer " + token}, "viewer-1", nil},
		{"authorization", a, handshake, transport.InitPayload{"authorization": "Bearer " + token}, "viewer-1", nil},
		{"no payload", a, handshake, nil, "", errNoToken},
		{"no token in the payload", a, handshake, transport.InitPayload{"other": "x"}, "", errNoToken},
		{"an invalid token", a, handshake, transport.InitPayload{"Authorization": "Bearer x.y.z"}, "", errMalformed},
		{"not a bearer token", a, handshake, transport.InitPayload{"Authorization": token}, "", errNotBearer},
		{"the handshake's header", a, fromHeader, nil, "from-header", nil},
		{"the payload over the handshake's header", a, fromHeader, transport.InitPayload{"Authorization": "Bearer " + token}, "viewer-1", nil},
		{"an invalid payload over the handshake's header", a, fromHeader, transport.InitPayload{"Authorization": "Bearer x"}, "", errMalformed},
		{"dev mode without a token", dev, handshake, nil, "dev", nil},
		{"dev mode with a token", dev, handshake, transport.InitPayload{"Authorization": "Bearer " + token}, "viewer-1", nil},
		{"dev mode with an invalid token", dev, handshake, transport.InitPayload{"Authorization": "Bearer x"}, "", errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, ack, err := tc.a.WebsocketInit(tc.ctx, tc.payload)
			if tc.refused != nil {
				var e *org.Error
				if !errors.As(err, &e) || e.Code != org.EUnauthorized || e.Message != tc.refused.Message {
					t.Fatalf("got %v, want %q", err, tc.refused.Message)
				}
				return
			}
			p, ok := org.PrincipalFrom(ctx)
			if err != nil || ack != nil || !ok || p.Subject != tc.subject || p.Address != "198.51.100.7" {
				t.Fatalf("got %+v %v %v, want %q", p, ack, err, tc.subject)
			}
		})
	}
}

func TestDevPrincipal(t *testing.T) {
	p := DevPrincipal()
	if p.Subject != "dev" || !p.Everywhere() || !p.Can(org.ManageData) {
		t.Fatalf("dev principal %+v", p)
	}
	p.Roles[0] = org.Viewer
	if !DevPrincipal().Everywhere() {
		t.Fatal("changing one dev principal changed the next")
	}
}
