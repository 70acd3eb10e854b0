package server

import (
	"context"
	"runtime"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/sync/semaphore"

	"dangbo/graph"
)

// heavyCost is the cost from which an operation runs in the heavy lane: a
// district's chart is heavy, a page of children or a search is not.
const heavyCost = 1_000

// lanes admit operations to run. The heavy lane runs the operations that cost
// heavyCost or more a few at a time across all callers, one fewer than the
// cores, so that however many heavy operations callers send, they keep at most
// that many busy and light ones are not queued behind them. Heavy operations
// wait their turn in order, until their deadline.
//
// Light queries run readsPerCore per core at once, the others waiting their
// turn in order: when 32 clients read at once, each of them runnable, a
// write (or anything that blocks, on a disk or the network) came back to a
// run queue 32 deep after each syscall, and took as long as five reads (issue
// 17). Mutations and subscriptions are not held: a write waits for the
// store, not behind reads.
type lanes struct{ heavy, reads *semaphore.Weighted }

// readsPerCore light queries a core run at once: enough to keep the cores
// busy while one waits (on a lock, the collector), few enough that the run
// queue stays short.
const readsPerCore = 2

func newLanes() lanes {
	return lanes{heavy: semaphore.NewWeighted(int64(max(runtime.GOMAXPROCS(0)-1, 1))),
		reads: semaphore.NewWeighted(int64(readsPerCore * runtime.GOMAXPROCS(0)))}
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = lanes{}

// oneAtATime, in a heavy operation's context, makes its root fields (500
// aliases of a chart) run one after the other: gqlgen would run each in its
// own goroutine, and one operation would take every core from the others.
type oneAtATime struct{}

func (lanes) ExtensionName() string                   { return "Lanes" }
func (lanes) Validate(graphql.ExecutableSchema) error { return nil }

func (l lanes) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// A subscription waits for its events: it would hold a place in a lane
	// while idle.
	if graph.StreamEndFrom(ctx) != nil {
		return next(ctx)
	}
	if operationCost(ctx) >= heavyCost {
		if err := l.heavy.Acquire(ctx, 1); err != nil {
			return limitExceeded(deadlineMessage)
		}
		defer l.heavy.Release(1)
		return next(context.WithValue(ctx, oneAtATime{}, new(sync.Mutex)))
	}
	if !isQuery(ctx) {
		return next(ctx)
	}
	if err := l.reads.Acquire(ctx, 1); err != nil {
		return limitExceeded(deadlineMessage)
	}
	defer l.reads.Release(1)
	return next(ctx)
}

func (lanes) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if turn, ok := ctx.Value(oneAtATime{}).(*sync.Mutex); ok {
		turn.Lock()
		defer turn.Unlock()
	}
	return next(ctx)
}

// isQuery reports whether the operation running in ctx is a query.
func isQuery(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Query
}
