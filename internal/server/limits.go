package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// complexity makes a list cost its page size times what each element costs,
// so that a client cannot fan out pages of pages. A page size out of range is
// counted at the maximum, and the resolver then refuses it as bad input. A
// read in a scenario costs what the same read of the live structure does: the
// scenario is replayed once and cached by the service. Lists whose length no
// argument bounds, and whose elements may nest further lists, count as one
// default page.
func complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	pageOf := func(first *int) int {
		if first == nil {
			return org.DefaultPageSize
		}
		return min(max(*first, 1), org.MaxPageSize)
	}
	c.Org.Children = func(child int, first *int, _ *string, _ []org.Kind, _ *org.Date, _ *string) int {
		return 1 + pageOf(first)*child
	}
	c.Org.Members = func(child int, first *int, _ *string, _ *bool, _ *model.MemberFilter, _ *org.MemberOrder, _ *org.Date, _ *string) int {
		return 1 + pageOf(first)*child
	}
	c.Org.Residents = func(child int, first *int, _ *string, _ *org.Date, _ *string) int { return 1 + pageOf(first)*child }
	c.Query.Changes = func(child int, _ *string, _, _ *org.Date, _ []org.ChangeType, first *int, _ *string) int {
		return 1 + pageOf(first)*child
	}
	c.Query.Search = func(child int, _ string, first *int, _ *string, _ []org.SearchType, _ *string, _ *org.Date, _ *string) int {
		n := org.DefaultResults
		if first != nil {
			n = min(max(*first, 1), org.MaxResults)
		}
		return 1 + n*child
	}
	c.Query.Scenarios = func(child int, _ *org.ScenarioStatus) int { return 1 + org.DefaultPageSize*child }
	c.ScenarioDiff.Nodes = func(child int) int { return 1 + org.DefaultPageSize*child }
	c.Mutation.AddScenarioOperations = func(child int, _ string, ops []*model.ScenarioOperationInput) int {
		return 1 + child + scenarioOperationCost*len(ops)
	}
	return c
}

// scenarioOperationCost is what adding one operation to a scenario costs: it
// is replayed, as a mutation of the live structure would run. An organiser
// adds up to 2,500 operations in one request, an admin 5,000.
const scenarioOperationCost = 10

// depthLimit refuses operations whose selections nest deeper than the
// caller's limit. Introspection is exempt: the playground's schema query is
// deep by nature.
type depthLimit struct{ limit func(context.Context) int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth, max := selectionDepth(oc.Doc, oc.Operation.SelectionSet, 0), d.limit(ctx); depth > max {
		err := gqlerror.Errorf("Truy vấn lồng sâu %d cấp, vượt mức tối đa %d cấp của vai trò.", depth, max)
		err.Extensions = map[string]any{"code": codeTooComplex}
		return err
	}
	return nil
}

// selectionDepth is the deepest nesting of fields under set; fragments count
// where they are spread. Validation has already refused fragment cycles.
func selectionDepth(doc *ast.QueryDocument, set ast.SelectionSet, depth int) int {
	deepest := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = selectionDepth(doc, s.SelectionSet, depth+1)
		case *ast.InlineFragment:
			d = selectionDepth(doc, s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil {
				d = selectionDepth(doc, f.SelectionSet, depth)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// socketRateLimit counts each operation over a websocket against its
// caller's rate limit, as each HTTP request is: only the socket's handshake
// passes the HTTP middleware, and one socket once ran 2,000 operations in
// 2.8 s. It runs before the operation is parsed, so refused ones cost little.
type socketRateLimit struct{ limiter *auth.RateLimiter }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = socketRateLimit{}

func (socketRateLimit) ExtensionName() string                   { return "SocketRateLimit" }
func (socketRateLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l socketRateLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if !isWebsocket(p.Headers) {
		return nil
	}
	err := l.limiter.Allow(ctx)
	if err == nil {
		return nil
	}
	gqlErr := gqlerror.Errorf("%s", org.ErrorMessage(err))
	gqlErr.Extensions = map[string]any{"code": org.ErrorCode(err)}
	return gqlErr
}
