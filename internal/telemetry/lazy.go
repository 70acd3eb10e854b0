package telemetry

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// lazySpan is a span started only if a store call happens under it: a
// GraphQL field gets a span when it reads the store, and costs none when it
// only shapes what its parent read (a chart's nodes, a page's counts).
type lazySpan struct {
	parent context.Context
	tracer trace.Tracer
	name   string
	attrs  []attribute.KeyValue
	start  time.Time

	mu   sync.Mutex
	ctx  context.Context // the span's context once started
	span trace.Span
}

type lazyKey struct{}

// Lazy returns ctx carrying a span named name that starts, back-dated to
// now, only when a store call observed by StoreSpans runs under ctx; end
// ends it if it started.
func Lazy(ctx context.Context, tracer trace.Tracer, name string, attrs ...attribute.KeyValue) (context.Context, func()) {
	l := &lazySpan{parent: ctx, tracer: tracer, name: name, attrs: attrs, start: time.Now()}
	return context.WithValue(ctx, lazyKey{}, l), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.span != nil {
			l.span.End()
		}
	}
}

// materialize starts the lazy spans of ctx that have not started, outermost
// first, and returns the context of the innermost: a store call's parent.
func materialize(ctx context.Context) context.Context {
	l, ok := ctx.Value(lazyKey{}).(*lazySpan)
	if !ok {
		return ctx
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.span == nil {
		parent := materialize(l.parent)
		l.ctx, l.span = l.tracer.Start(parent, l.name, trace.WithTimestamp(l.start), trace.WithAttributes(l.attrs...))
	}
	// The store call's ctx may carry more than the span's (a deadline,
	// the loaders): keep it, with the span as its parent.
	return trace.ContextWithSpan(ctx, l.span)
}
