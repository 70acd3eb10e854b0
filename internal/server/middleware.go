package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/graph"
	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// withLoaders gives each request its own dataloaders: they cache what one
// request read, and must not serve it to the next.
func withLoaders(store org.Reader, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(graph.WithLoaders(r.Context(), graph.NewLoaders(store))))
	})
}

// limitBody refuses request bodies over n bytes: at once when their length
// says so, while reading them otherwise (decodeParams). A body must arrive
// within bodyTimeout: a client sending a byte every few seconds would hold
// its connection, and a file descriptor, for ever. The deadline ends once
// the body is read, so that a stream of server-sent events may last.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			auth.WriteError(w, http.StatusRequestEntityTooLarge, tooLarge(n))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		if r.ContentLength != 0 {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(bodyTimeout)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bodyTimeout is how long a request's body may take to arrive once its
// headers have (a variable for the tests).
var bodyTimeout = 20 * time.Second

// deadlineBody lifts its connection's read deadline once it is read to
// its end. After any other error the deadline stays: the server reads what
// is left of a body before answering, and would wait for it for ever.
type deadlineBody struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// withTimeout bounds a request's context, except for streams (websockets,
// server-sent events), which live as long as their client keeps them.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth.IsStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// isWebsocket tells whether a request's headers, or those of the handshake an
// operation came over, open a websocket.
func isWebsocket(h http.Header) bool { return strings.EqualFold(h.Get("Upgrade"), "websocket") }

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands over the connection: gorilla/websocket, under gqlgen's websocket
// transport, upgrades only a writer that is itself an http.Hijacker.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.status = http.StatusSwitchingProtocols
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// requestIDHeader is auth.RequestIDHeader, short.
const requestIDHeader = auth.RequestIDHeader

// maxRequestIDLen bounds an incoming request id: it goes into every log line
// and error of its request.
const maxRequestIDLen = 128

// validRequestID tells whether an incoming id may be kept: bounded, and of
// characters that need no quoting in logs and headers (UUIDs, W3C trace ids
// and the ids of common proxies are).
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// requestInfo is what the access log line tells of a request beyond HTTP,
// filled in by the layers that learn it.
type requestInfo struct {
	id        string
	mu        sync.Mutex
	subject   string
	operation string
}

type requestInfoKey struct{}

// requestIDFrom is the id of the request ctx belongs to; empty outside one.
func requestIDFrom(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// noteRequest records what a layer learnt of the request ctx belongs to.
func noteRequest(ctx context.Context, fn func(*requestInfo)) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.mu.Lock()
		defer info.mu.Unlock()
		fn(info)
	}
}

// accessLog gives each request its id (the client's X-Request-Id when
// well-formed, else a new one), echoes it in the response header and logs one
// line per request with it: at info, warn for server errors, debug for
// health probes, which would drown the rest.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: r.Header.Get(requestIDHeader)}
		if !validRequestID(info.id) {
			info.id = rand.Text()
		}
		w.Header().Set(requestIDHeader, info.id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		level := slog.LevelInfo
		switch {
		case sw.status >= 500:
			level = slog.LevelWarn
		case r.URL.Path == "/healthz" || r.URL.Path == "/readyz":
			level = slog.LevelDebug
		}
		info.mu.Lock()
		defer info.mu.Unlock()
		log.Log(r.Context(), level, "request", "request_id", info.id, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "took", time.Since(start), "remote", r.RemoteAddr,
			"subject", info.subject, "operation", info.operation)
	})
}

// noteSubject records the caller the authentication found, for the log.
func noteSubject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := org.PrincipalFrom(r.Context()); ok {
			noteRequest(r.Context(), func(info *requestInfo) { info.subject = p.Subject })
		}
		next.ServeHTTP(w, r)
	})
}

// operation is the operation of the document that ctx runs; nil when the
// request did not get as far as a valid one.
func operation(ctx context.Context) *ast.OperationDefinition {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return graphql.GetOperationContext(ctx).Operation
}

// requestNote is the gqlgen extension that tells the access log which
// operation a request ran, and stamps the request's id on every error of the
// answer (extensions.requestId), whichever layer raised it, so that a user
// reporting an error hands over what finds its log line. An operation that
// fails as it starts (a subscription its resolver refuses) answers without
// passing the response interceptors, so the operation's answers are stamped
// too.
type requestNote struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = requestNote{}

func (requestNote) ExtensionName() string                   { return "RequestNote" }
func (requestNote) Validate(graphql.ExecutableSchema) error { return nil }

func (requestNote) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	answers := next(ctx)
	return func(ctx context.Context) *graphql.Response { return stampRequestID(ctx, answers(ctx)) }
}

func (requestNote) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if op := operation(ctx); op != nil {
		noteRequest(ctx, func(info *requestInfo) { info.operation = op.Name })
	}
	return stampRequestID(ctx, capErrors(resp))
}

// maxErrors is how many errors an answer lists: a document's errors are
// found once per operation for each fragment it spreads, and one of 58 KB
// once answered 200 MB of them.
const maxErrors = 100

// capErrors keeps the first maxErrors-1 errors of resp, and says how many
// more there were in a last one with the code of the first.
func capErrors(resp *graphql.Response) *graphql.Response {
	if resp == nil || len(resp.Errors) <= maxErrors {
		return resp
	}
	more := gqlerror.Errorf("… và %d lỗi khác.", len(resp.Errors)-maxErrors+1)
	more.Extensions = map[string]any{"code": resp.Errors[0].Extensions["code"]}
	resp.Errors = append(resp.Errors[:maxErrors-1:maxErrors-1], more)
	return resp
}

// stampRequestID gives each error of resp the id of ctx's request.
func stampRequestID(ctx context.Context, resp *graphql.Response) *graphql.Response {
	id := requestIDFrom(ctx)
	if resp == nil || id == "" {
		return resp
	}
	for i, e := range resp.Errors {
		if e.Extensions["requestId"] == id {
			continue
		}
		// A copy: an error value may be shared beyond this answer.
		stamped := *e
		stamped.Extensions = make(map[string]any, len(e.Extensions)+1)
		for k, v := range e.Extensions {
			stamped.Extensions[k] = v
		}
		stamped.Extensions["requestId"] = id
		resp.Errors[i] = &stamped
	}
	return resp
}
