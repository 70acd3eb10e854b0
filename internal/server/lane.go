package server

import (
	"context"
	"runtime"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"golang.org/x/sync/semaphore"

	"dangbo/graph"
)

// heavyCost is the cost from which an operation runs in the heavy lane: a
// district's chart is heavy, a page of children or a search is not.
const heavyCost = 1_000

// heavyLane runs the operations that cost heavyCost or more a few at a time
// across all callers, one fewer than the cores, so that however many heavy
// operations callers send, they keep at most that many busy and light ones
// are not queued behind them. Heavy operations wait their turn in order,
// until their deadline.
type heavyLane struct{ running *semaphore.Weighted }

func newHeavyLane() heavyLane {
	return heavyLane{running: semaphore.NewWeighted(int64(max(runtime.GOMAXPROCS(0)-1, 1)))}
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = heavyLane{}

// oneAtATime, in a heavy operation's context, makes its root fields (500
// aliases of a chart) run one after the other: gqlgen would run each in its
// own goroutine, and one operation would take every core from the others.
type oneAtATime struct{}

func (heavyLane) ExtensionName() string                   { return "HeavyLane" }
func (heavyLane) Validate(graphql.ExecutableSchema) error { return nil }

func (l heavyLane) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// A subscription waits for its events: it would hold a place in the lane
	// while idle.
	if operationCost(ctx) < heavyCost || graph.StreamEndFrom(ctx) != nil {
		return next(ctx)
	}
	if err := l.running.Acquire(ctx, 1); err != nil {
		return limitExceeded(deadlineMessage)
	}
	defer l.running.Release(1)
	return next(context.WithValue(ctx, oneAtATime{}, new(sync.Mutex)))
}

func (heavyLane) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if turn, ok := ctx.Value(oneAtATime{}).(*sync.Mutex); ok {
		turn.Lock()
		defer turn.Unlock()
	}
	return next(ctx)
}
