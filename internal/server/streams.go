package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/graph"
	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// streams serves subscriptions: only over a websocket or server-sent events
// (a plain POST would hold a request for one event), and server-sent events
// only for subscriptions (a stream passes the request deadline and the bound
// on requests in flight). Each event reads with fresh dataloaders, which
// cache for one answer only, and a stream that ends for a reason (its token
// expired, its client fell behind) sends that reason as its last answer.
type streams struct{ store org.Reader }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = streams{}

func (streams) ExtensionName() string                   { return "Streams" }
func (streams) Validate(graphql.ExecutableSchema) error { return nil }

func (streams) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	subscription := oc.Operation.Operation == ast.Subscription
	if err := oneStream(oc); err != nil {
		return err
	}
	var msg string
	switch {
	case subscription && !isWebsocket(oc.Headers) && !auth.IsEventStream(oc.Headers):
		msg = "subscription cần một luồng: websocket (graphql-transport-ws) hoặc server-sent events (POST với Accept: text/event-stream)"
	case !subscription && auth.IsEventStream(oc.Headers) && !isWebsocket(oc.Headers):
		msg = "server-sent events chỉ dùng cho subscription; query và mutation gửi bằng POST thường"
	default:
		return nil
	}
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": org.EInvalid}
	return err
}

// oneStream refuses a subscription that selects more than one root field,
// as GraphQL's validation asks: gqlparser counts the fields by name, so that
// `a: changes b: changes` passed it, and gqlgen's executor then failed with
// an internal error. The error is gqlparser's, so it is worded as its others.
func oneStream(oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation.Operation != ast.Subscription {
		return nil
	}
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) <= 1 {
		return nil
	}
	name := "Anonymous Subscription"
	if oc.Operation.Name != "" {
		name = "Subscription " + strconv.Quote(oc.Operation.Name)
	}
	err := gqlerror.ErrorPosf(fields[1].Position, "%s must select only one top level field.", name)
	err.Rule = "SingleFieldSubscriptions"
	err.Extensions = map[string]any{"code": codeValidationFailed}
	return err
}

func (streams) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := operation(ctx); op != nil && op.Operation == ast.Subscription {
		ctx, _ = graph.WithStreamEnd(ctx)
	}
	return next(ctx)
}

func (s streams) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	end := graph.StreamEndFrom(ctx)
	if end == nil {
		return next(ctx)
	}
	resp := next(graph.WithLoaders(ctx, graph.NewLoaders(s.store)))
	if resp != nil {
		return resp
	}
	if err := end.Report(); err != nil {
		graphql.AddError(ctx, err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return nil
}

// sse is gqlgen's server-sent events transport over a writer that takes one
// write at a time and none once the request is over: gqlgen's keep-alive
// pings write from a goroutine of their own, and may fire as it ends. A body
// that is not JSON is refused as the POST transport refuses it: gqlgen's
// message would show the body back, in English, and carry no code. A stream ends when
// the server shuts down (Serve).
type sse struct{ transport.SSE }

func (t sse) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params, body, err := decodeParams(r)
	if err != nil {
		refuseBody(w, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// gqlgen's transport would open the stream first and send any refusal
	// as its one event: a document that does not parse or validate is
	// answered as over POST instead, before any stream. Other refusals (a
	// stream over the caller's limit, a query) stay events, which clients
	// of a stream read as its errors.
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	rc, errs := exec.CreateOperationContext(ctx, &params)
	if errcode.GetErrorKind(errs) == errcode.KindProtocol {
		answerRefused(w, ctx, exec, rc, errs)
		return
	}
	if shutdown, ok := r.Context().Value(shutdownKey{}).(chan struct{}); ok {
		go func() {
			select {
			case <-shutdown:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	lw := &lockedWriter{ResponseWriter: w}
	defer lw.close()
	t.SSE.Do(lw, r.WithContext(ctx), prepared{exec, rc, errs})
}

// prepared is an executor whose operation is already created: the
// transport it is handed to does not create it a second time.
type prepared struct {
	graphql.GraphExecutor
	rc   *graphql.OperationContext
	errs gqlerror.List
}

func (e prepared) CreateOperationContext(context.Context, *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	return e.rc, e.errs
}

// shutdownKey carries, in every request's context, the channel closed when
// the server shuts down (Serve).
type shutdownKey struct{}

func withShutdown(ctx context.Context, shutdown chan struct{}) context.Context {
	return context.WithValue(ctx, shutdownKey{}, shutdown)
}

type lockedWriter struct {
	http.ResponseWriter
	mu     sync.Mutex
	closed bool
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, http.ErrHandlerTimeout
	}
	return w.ResponseWriter.Write(b)
}

func (w *lockedWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *lockedWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

func (w *lockedWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}
