package neo4j

import (
	"context"
	"fmt"
	"slices"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// querier runs one statement and returns all its records: a managed
// transaction of the driver in production, a fake in unit tests. Its errors
// must reach the driver unwrapped, which decides from their type whether to
// retry the transaction.
type querier interface {
	query(ctx context.Context, st *statement, params map[string]any) ([]*n4j.Record, error)
}

// run runs the named statement. params must be exactly the parameters the
// statement declares: a missing one would fail at the server, an extra one
// would be silently ignored there.
func run(ctx context.Context, q querier, name string, params map[string]any) ([]*n4j.Record, error) {
	st := statements[name]
	if st == nil {
		return nil, fmt.Errorf("neo4j: no statement %q", name)
	}
	given := make([]string, 0, len(params))
	for p := range params {
		given = append(given, p)
	}
	slices.Sort(given)
	if !slices.Equal(given, slices.Sorted(slices.Values(st.params))) {
		return nil, fmt.Errorf("neo4j: statement %s declares parameters %v, given %v", name, st.params, given)
	}
	return q.query(ctx, st, params)
}

// traced is a querier whose every statement is a span named by its file,
// under the caller's span.
type traced struct {
	querier
	tracer trace.Tracer
}

func (q traced) query(ctx context.Context, st *statement, params map[string]any) ([]*n4j.Record, error) {
	ctx, span := q.tracer.Start(ctx, "neo4j "+st.name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "neo4j"), attribute.String("db.query.summary", st.name)))
	defer span.End()
	recs, err := q.querier.query(ctx, st, params)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attribute.Int("db.response.returned_rows", len(recs)))
	return recs, err
}

// one is the only record of a statement that returns exactly one, as a row;
// an empty row when it returned none, so that decoding reports what is missing.
func one(recs []*n4j.Record) row {
	if len(recs) == 0 {
		return row{}
	}
	return recs[0].AsMap()
}
