package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/internal/org"
)

// Codes only the transport raises; the domain's are org.E*.
const (
	// codeTooComplex refuses a request over its cost budget.
	codeTooComplex = "QUERY_TOO_COMPLEX"
	// codeQueryNotAllowed refuses a query that is not on the allow-list.
	codeQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"
	// gqlgen's codes of the documents that do not parse or validate, and
	// of a persisted query's hash it does not know.
	codeParseFailed      = errcode.ParseFailed
	codeValidationFailed = errcode.ValidationFailed
	codePersistedMissing = "PERSISTED_QUERY_NOT_FOUND"
	// Requests refused before GraphQL runs.
	codePayloadTooLarge  = "PAYLOAD_TOO_LARGE"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeMediaType        = "UNSUPPORTED_MEDIA_TYPE"
)

// presentError gives every error a code in extensions.code. Domain errors keep
// their code and message (and rule, for RULE_VIOLATION); errors gqlgen raises
// keep its codes and are worded in Vietnamese, except that a value of the
// wrong type or an unknown enum value is the client's input, BAD_USER_INPUT;
// anything else is logged and shown as INTERNAL without its details.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var e *org.Error
		switch {
		case errors.As(err, &e):
			gqlErr.Message = boundQuotes(e.Message)
			gqlErr.Extensions = map[string]any{"code": e.Code}
			if e.Rule != "" {
				gqlErr.Extensions["rule"] = e.Rule
				gqlErr.Extensions["basis"] = e.Basis
			}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "Yêu cầu chạy quá thời gian cho phép."
			gqlErr.Extensions = map[string]any{"code": org.ELimitExceeded}
		case translateGraphQLError(gqlErr, operation(ctx)):
			// gqlgen's parse and validation failures, variables of the
			// wrong type: worded in Vietnamese, the English kept as detail.
		case gqlErr.Extensions["code"] != nil:
			// Ours, raised by the extensions in Vietnamese: complexity,
			// depth, the allow-list.
		case errors.Is(err, context.Canceled):
			// The client went away: nothing to alert on, and a client
			// that leaves on purpose must not fill the log with errors.
			log.DebugContext(ctx, "request cancelled", "request_id", requestIDFrom(ctx), "path", gqlErr.Path.String())
			gqlErr.Message = org.ErrorMessage(err)
			gqlErr.Extensions = map[string]any{"code": org.EInternal}
		default:
			log.ErrorContext(ctx, "request failed", "request_id", requestIDFrom(ctx), "err", err, "path", gqlErr.Path.String())
			gqlErr.Message = org.ErrorMessage(err)
			gqlErr.Extensions = map[string]any{"code": org.EInternal}
		}
		return gqlErr
	}
}

// isVariableError reports whether err is about a variable's value: gqlgen
// reports those with a path starting at "variable".
func isVariableError(err *gqlerror.Error) bool {
	return len(err.Path) > 0 && err.Path[0] == ast.PathName("variable")
}
