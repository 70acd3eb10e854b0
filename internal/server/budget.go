package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/internal/org"
)

// budget keeps each operation within its deadline and its answer within a
// byte budget. Past the deadline no resolver starts, so that a query of many
// aliases stops instead of calling every remaining one, and the answer is one
// LIMIT_EXCEEDED error rather than an error per field left. An answer over
// maxBytes is replaced by one LIMIT_EXCEEDED error: the complexity limit keeps
// gqlgen from building much more than that.
type budget struct{ maxBytes int }

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
	graphql.ResponseInterceptor
} = budget{}

func (budget) ExtensionName() string                   { return "Budget" }
func (budget) Validate(graphql.ExecutableSchema) error { return nil }

func (budget) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.IsResolver {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if heavyFields.Add(1)%yieldEvery == 0 && operationCost(ctx) >= heavyCost {
		runtime.Gosched()
	}
	return next(ctx)
}

// A heavy operation yields the processor every yieldEvery fields, so that a
// small query waiting for it runs within a millisecond or so, not after
// the scheduler's 10 ms time slice.
var heavyFields atomic.Uint64

const yieldEvery = 256

// paceList is what a list written by a compiled marshaller does every
// yieldEvery fields, as gqlgen's execution does under budget: it stops at
// the deadline, and once the lists of the answer have written more than its
// byte budget, before building the rest; a heavy operation yields the
// processor.
func (b budget) paceList(ctx context.Context, written int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n, _ := ctx.Value(listBytesKey{}).(*atomic.Int64); n != nil && n.Add(int64(written)) > int64(b.maxBytes) {
		return errOverBudget
	}
	if operationCost(ctx) >= heavyCost {
		runtime.Gosched()
	}
	return nil
}

// listBytesKey holds, in a response's context, the bytes its compiled lists
// have written.
type listBytesKey struct{}

// errOverBudget stops a list; the answer is then the budget's refusal.
var errOverBudget = errors.New("over the response byte budget")

func (b budget) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	listBytes := new(atomic.Int64)
	resp := next(context.WithValue(ctx, listBytesKey{}, listBytes))
	switch {
	case resp == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return limitExceeded(deadlineMessage)
	case len(resp.Data) > b.maxBytes || listBytes.Load() > int64(b.maxBytes):
		return limitExceeded(fmt.Sprintf("Câu trả lời vượt quá %s cho phép: hãy giảm first, depth, số bí danh "+
			"hoặc số trường, hoặc chia thành nhiều truy vấn.", byteSize(b.maxBytes)))
	}
	return resp
}

const deadlineMessage = "Yêu cầu chạy quá thời gian cho phép: hãy giảm phạm vi hoặc chia thành nhiều truy vấn."

func limitExceeded(message string) *graphql.Response {
	err := gqlerror.Errorf("%s", message)
	err.Extensions = map[string]any{"code": org.ELimitExceeded}
	return &graphql.Response{Errors: gqlerror.List{err}}
}

// byteSize writes n bytes for a message, in MiB or KiB when they are whole.
func byteSize(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}
