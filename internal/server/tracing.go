package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"dangbo/internal/telemetry"
)

// traced wraps the service's handler with otelhttp: a server span per HTTP
// request, continuing the caller's trace (traceparent), named by method and
// path.
func traced(tp trace.TracerProvider, next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "dangbo",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
}

// operationTracing is the gqlgen extension that traces each operation as a
// span ("query Explore"), and under it each field whose resolver reads the
// store: a resolver's span starts only when a store call happens under it
// (telemetry.Lazy), so that a chart's thousands of nodes, or a page's
// counts, add none.
type operationTracing struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.FieldInterceptor
} = operationTracing{}

func (operationTracing) ExtensionName() string                   { return "OperationTracing" }
func (operationTracing) Validate(graphql.ExecutableSchema) error { return nil }

func (o operationTracing) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	name, typ := "invalid", ""
	if op := operation(ctx); op != nil {
		typ, name = string(op.Operation), op.Name
		if name == "" {
			name = "anonymous"
		}
	}
	ctx, span := o.tracer.Start(ctx, typ+" "+name, trace.WithAttributes(
		attribute.String("graphql.operation.type", typ),
		attribute.String("graphql.operation.name", name),
		attribute.Int("dangbo.cost", operationCost(ctx)),
	))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		code, _ := resp.Errors[0].Extensions["code"].(string)
		span.SetAttributes(attribute.String("dangbo.error.code", code))
		if code == "INTERNAL" {
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
	}
	return resp
}

func (o operationTracing) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, end := telemetry.Lazy(ctx, o.tracer, fc.Object+"."+fc.Field.Name, attribute.String("graphql.field.path", fc.Path().String()))
	defer end()
	return next(ctx)
}
