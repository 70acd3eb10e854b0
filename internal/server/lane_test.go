package server

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestLightQueriesTakeTurnsAndWritesDoNot: with every place of the light lane
// taken by queries in flight, a mutation runs at once, a subscription too, and
// another query waits until one of them ends, or until its deadline.
func TestLightQueriesTakeTurnsAndWritesDoNot(t *testing.T) {
	l := newLanes()
	operation := func(op ast.Operation) context.Context {
		return graphql.WithOperationContext(t.Context(), &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: op}})
	}
	// run runs an operation whose resolvers return when release is closed,
	// and closes the channel it returns once it started.
	run := func(ctx context.Context, release chan struct{}) (started chan struct{}, done chan *graphql.Response) {
		started, done = make(chan struct{}), make(chan *graphql.Response, 1)
		go func() {
			done <- l.InterceptResponse(ctx, func(context.Context) *graphql.Response {
				close(started)
				<-release
				return &graphql.Response{}
			})
		}()
		return started, done
	}
	release := make(chan struct{})
	places := readsPerCore * runtime.GOMAXPROCS(0)
	for range places {
		started, _ := run(operation(ast.Query), release)
		<-started
	}
	for _, op := range []ast.Operation{ast.Mutation, ast.Subscription} {
		started, _ := run(operation(op), release)
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatalf("a %s waited behind %d queries in flight", op, places)
		}
	}
	waiting, answered := run(operation(ast.Query), release)
	late, cancel := context.WithTimeout(operation(ast.Query), 50*time.Millisecond)
	defer cancel()
	if resp := l.InterceptResponse(late, func(context.Context) *graphql.Response { return &graphql.Response{} }); len(resp.Errors) == 0 {
		t.Error("a query ran beside every place taken, past its deadline")
	}
	select {
	case <-waiting:
		t.Fatal("a query ran beside every place taken")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting query did not run once the others ended")
	}
	if resp := <-answered; len(resp.Errors) > 0 {
		t.Errorf("the waiting query failed: %v", resp.Errors)
	}
}
