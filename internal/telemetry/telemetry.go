// Package telemetry sets up OpenTelemetry tracing from the standard OTEL_*
// environment variables, and traces the calls of a store. Tracing is off
// unless OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_TRACES_EXPORTER is set; off, nothing is wrapped and nothing costs.
package telemetry

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"dangbo/internal/org"
)

// FromEnv returns the tracer provider the OTEL_* variables configure, nil
// when they configure none, and the function that flushes and stops it.
// OTEL_TRACES_EXPORTER may be otlp (the default once an endpoint is set) or
// none; OTEL_EXPORTER_OTLP_PROTOCOL (or …_TRACES_PROTOCOL) http/protobuf
// (the default) or grpc. The exporters and the SDK read the other variables
// themselves (endpoint, headers, timeout, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*). A value it
// does not know fails, naming the variable.
func FromEnv(ctx context.Context) (trace.TracerProvider, func(context.Context) error, error) {
	exporter := os.Getenv("OTEL_TRACES_EXPORTER")
	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") + os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	switch {
	case exporter == "none", exporter == "" && endpoint == "":
		return nil, func(context.Context) error { return nil }, nil
	case exporter != "" && exporter != "otlp":
		return nil, nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: dangbo exports traces with otlp, or none", exporter)
	}
	protocol := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var exp sdktrace.SpanExporter
	var err error
	switch protocol {
	case "", "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	default:
		return nil, nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: http/protobuf or grpc", protocol)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName("dangbo")))
	if err != nil {
		return nil, nil, err
	}
	// The environment's service name, when set, wins over ours.
	if env, err := resource.New(ctx, resource.WithFromEnv()); err == nil {
		if merged, err := resource.Merge(res, env); err == nil {
			res = merged
		}
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	// Incoming traceparent headers continue the caller's trace; the store's
	// own calls (the Neo4j driver) pick up the global provider.
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp, tp.Shutdown, nil
}

// StoreSpans traces each store call as a span "store.<Method>": an
// observed.Observer.
type StoreSpans struct{ Tracer trace.Tracer }

// NewStoreSpans traces store calls with tp.
func NewStoreSpans(tp trace.TracerProvider) StoreSpans {
	return StoreSpans{Tracer: tp.Tracer("dangbo/internal/store")}
}

func (s StoreSpans) Observe(ctx context.Context, method string) (context.Context, func(error)) {
	ctx, span := s.Tracer.Start(materialize(ctx), "store."+method, trace.WithAttributes(attribute.String("dangbo.store.method", method)))
	return ctx, func(err error) {
		if err != nil {
			span.SetAttributes(attribute.String("dangbo.error.code", org.ErrorCode(err)))
			if org.ErrorCode(err) == org.EInternal || org.ErrorCode(err) == org.EUnavailable {
				span.SetStatus(codes.Error, err.Error())
			}
		}
		span.End()
	}
}
