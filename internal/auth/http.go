package auth

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"

	"dangbo/internal/org"
)

// Middleware puts the principal of the request's bearer token into its
// context, or answers 401 with a GraphQL-shaped error. Mount it only on what
// needs a caller: health checks and the playground's page need none.
//
// A websocket handshake without an Authorization header passes: browsers
// cannot set headers on it, so the token comes in the connection_init
// message, which WebsocketInit checks before any operation runs.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), addressKey{}, remoteHost(r.RemoteAddr))
		header := r.Header.Get("Authorization")
		if header == "" && r.Method == http.MethodGet && websocket.IsWebSocketUpgrade(r) {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		p, err := a.principal(ctx, header)
		if err != nil {
			challenge := `Bearer realm="dangbo"`
			if header != "" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			WriteError(w, http.StatusUnauthorized, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(org.WithPrincipal(ctx, p)))
	})
}

// addressKey carries the client's address from the handshake of a websocket
// to its connection_init.
type addressKey struct{}

// WebsocketInit is gqlgen's websocket InitFunc: it authenticates the
// connection by the Authorization value of the connection_init payload
// ({"Authorization": "Bearer …"}), or by the handshake's header when the
// payload has none.
//
// The connection's context ends when the token expires, with the leeway an
// HTTP request gets: gqlgen then closes the socket, sending the reason first,
// and cancels the operations running on it. A token checked once at
// connection_init would otherwise hold as long as the client keeps the socket.
func (a *Authenticator) WebsocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p, ok := org.PrincipalFrom(ctx)
	if authorization := payload.Authorization(); !ok || authorization != "" {
		var err error
		if p, err = a.principal(ctx, authorization); err != nil {
			return ctx, nil, err
		}
		ctx = org.WithPrincipal(ctx, p)
	}
	if p.Expires.IsZero() {
		return ctx, nil, nil
	}
	ctx, end := context.WithCancel(transport.AppendCloseReason(ctx, errExpired.Message))
	expiry := time.AfterFunc(time.Until(p.Expires.Add(Leeway)), end)
	context.AfterFunc(ctx, func() { expiry.Stop() }) // the socket closed first
	return ctx, nil, nil
}

// principal is who an Authorization value names, from the client address in
// ctx; without one, the dev principal in dev mode and a refusal otherwise.
func (a *Authenticator) principal(ctx context.Context, authorization string) (*org.Principal, error) {
	p, err := a.bearer(ctx, authorization)
	if err != nil {
		return nil, err
	}
	p.Address, _ = ctx.Value(addressKey{}).(string)
	return p, nil
}

func (a *Authenticator) bearer(ctx context.Context, authorization string) (*org.Principal, error) {
	if authorization == "" {
		if a.dev {
			return DevPrincipal(), nil
		}
		return nil, errNoToken
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, errNotBearer
	}
	return a.Verify(ctx, token)
}

// IsEventStream tells whether a request's headers are those of gqlgen's
// server-sent events transport: a JSON body, and an answer accepted as
// text/event-stream.
func IsEventStream(h http.Header) bool {
	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mediaType == "application/json" && strings.Contains(h.Get("Accept"), "text/event-stream")
}

// IsStream tells whether r opens a stream that lives as long as its client
// keeps it, not a request: a websocket, or server-sent events.
func IsStream(r *http.Request) bool {
	return websocket.IsWebSocketUpgrade(r) || r.Method == http.MethodPost && IsEventStream(r.Header)
}

// RequestIDHeader carries a request's id, from a client or a proxy, and
// back on the response.
const RequestIDHeader = "X-Request-Id"

// WriteError answers a request refused outside GraphQL, in the shape of a
// GraphQL response so that clients read it like any other error. The
// request's id, which the server set on the response before anything ran,
// goes into extensions.requestId as in GraphQL's own errors.
func WriteError(w http.ResponseWriter, status int, err error) {
	type gqlError struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	}
	ext := map[string]string{"code": org.ErrorCode(err)}
	if id := w.Header().Get(RequestIDHeader); id != "" {
		ext["requestId"] = id
	}
	body, _ := json.Marshal(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{Message: org.ErrorMessage(err), Extensions: ext}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
