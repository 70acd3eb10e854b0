package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"

	"dangbo/internal/org"
)

// CORS lets pages served from other origins call the API from a browser.
type CORS struct {
	// Origins allowed to call, as scheme://host[:port], or "*" for any; none
	// turns CORS off: browsers then refuse cross-origin calls.
	Origins []string
	// Credentials lets browsers send cookies and HTTP authentication along.
	// Tokens travel in the Authorization header, which needs no credentials
	// mode, so it is off unless asked for.
	Credentials bool
}

// corsMaxAge is how long, in seconds, a browser may reuse a preflight's
// answer: long enough to spare a round trip per query, short enough that a
// changed origin list takes effect soon (Chromium caps it at 2 hours anyway).
const corsMaxAge = 600

// ParseCORSOrigins parses a comma-separated list of origins, refusing what a
// browser would never send as an Origin (a path, a missing scheme), and "*"
// with credentials, which would let any site act with a user's cookies.
func ParseCORSOrigins(list string, credentials bool) ([]string, error) {
	var origins []string
	for o := range strings.SplitSeq(list, ",") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case o == "*":
			if credentials {
				return nil, fmt.Errorf("origin * may not be combined with credentials: list the origins")
			}
		default:
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return nil, fmt.Errorf("origin %q is not scheme://host[:port]", o)
			}
			o = u.Scheme + "://" + u.Host
		}
		origins = append(origins, o)
	}
	return origins, nil
}

// newCORS is c's policy; nil when it allows no origin.
func newCORS(c CORS) *cors.Cors {
	if len(c.Origins) == 0 {
		return nil
	}
	return cors.New(cors.Options{
		AllowedOrigins:   c.Origins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Authorization", "Content-Type", requestIDHeader, bookmarkHeader},
		ExposedHeaders:   []string{"Retry-After", requestIDHeader},
		AllowCredentials: c.Credentials,
		MaxAge:           corsMaxAge,
	})
}

// withCORS answers preflights and adds CORS headers for allowed origins; a
// request from any other origin gets none, so the browser keeps the answer
// from its page.
func withCORS(policy *cors.Cors, next http.Handler) http.Handler {
	if policy == nil {
		return next
	}
	return policy.Handler(next)
}

// websocketOrigin checks a websocket handshake's origin. Browsers open
// sockets across origins without asking first, so the server decides: the
// page's own origin, as gorilla/websocket's default check, or one that CORS
// allows.
func websocketOrigin(policy *cors.Cors) func(*http.Request) bool {
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if u, err := url.Parse(origin); origin == "" || err == nil && strings.EqualFold(u.Host, r.Host) {
			return true
		}
		return policy != nil && policy.OriginAllowed(r)
	}
}

// originChecked is the websocket transport with a handshake from an origin
// websocketOrigin refuses answered as every refusal is (403, FORBIDDEN, in
// Vietnamese, with the request's id): gorilla/websocket would answer
// "Forbidden" in plain English and gqlgen append an error of its own. An
// accepted socket writes through socketConn (socket.go).
type originChecked struct {
	transport.Websocket
	allowed    func(*http.Request) bool
	maxMessage int64 // bytes a message from the client may hold
}

func (t originChecked) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !t.allowed(r) {
		writeError(w, http.StatusForbidden, org.Errorf(org.EForbidden,
			"Trang ở nguồn (origin) %s không được phép mở websocket tới dịch vụ: máy chủ chỉ nhận các nguồn khai báo trong --cors-origins.",
			quote(r.Header.Get("Origin"))))
		return
	}
	conn := &socketConn{in: inbound{limit: t.maxMessage}}
	t.Websocket.Do(socketWriter{w, conn}, r.WithContext(context.WithValue(r.Context(), socketKey{}, conn)), exec)
}
