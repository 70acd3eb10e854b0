// Package compiled writes a chart's nodes and links, lists of thousands of
// objects, through a marshaller compiled for the selection a query makes of
// them, instead of gqlgen's execution: gqlgen resolves every field of every
// element through its middleware and builds a marshaller per value, a
// whole province's chart 5× slower than the same data as columns.
//
// The seam is gqlgen's own: a field interceptor may answer a field with a
// graphql.Marshaler, which gqlgen then writes as the field's value. The
// interceptor lets gqlgen resolve the list field as usual (its resolver,
// directives and errors unchanged), then writes the list itself when every
// field selected of its elements is one it knows; anything else (a field it
// does not know, @defer, a nil element) falls back to gqlgen. The output is
// gqlgen's byte for byte: the server's tests compare the two on generated
// selections.
package compiled

import (
	"context"
	"io"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Lists is the gqlgen extension that writes the lists it knows.
type Lists struct {
	// Pace is called every paceFields fields written and at the end of a
	// list: a list stops with its error (the request's deadline), and a heavy
	// operation may yield the processor there. Nil: the context's error only.
	Pace func(ctx context.Context) error

	lists map[listField]lister
}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = (*Lists)(nil)

// listField is a field of an object type that answers a list.
type listField struct{ object, field string }

// lister writes the value a list field resolved to, or reports that it does
// not know how.
type lister interface {
	write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context) error) (out []byte, ok bool, err error)
}

// paceFields is how many fields a list writes between calls to Pace: the
// number of fields after which a heavy operation run by gqlgen yields.
const paceFields = 256

// planCacheSize bounds the compiled plans kept per element type: a plan is a
// few hundred bytes, and clients send a handful of distinct selections.
const planCacheSize = 256

func (*Lists) ExtensionName() string { return "CompiledLists" }

// Validate compiles nothing yet; it learns from the schema which types and
// interfaces each element type satisfies, as gqlgen's generated code does.
func (l *Lists) Validate(es graphql.ExecutableSchema) error {
	schema := es.Schema()
	l.lists = map[listField]lister{
		{"OrgChart", "nodes"}: newList(schema, chartNodeType),
		{"OrgChart", "links"}: newList(schema, chartLinkType),
	}
	return nil
}

func (l *Lists) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	// Most fields gqlgen executes are scalars of list elements.
	if fc == nil || len(fc.Field.Selections) == 0 {
		return next(ctx)
	}
	list := l.lists[listField{fc.Object, fc.Field.Name}]
	if list == nil {
		return next(ctx)
	}
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	pace := l.Pace
	if pace == nil {
		pace = func(ctx context.Context) error { return ctx.Err() }
	}
	out, ok, err := list.write(ctx, graphql.GetOperationContext(ctx), fc.Field.Selections, res, pace)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return res, nil
	}
	return raw(out), nil
}

// raw is JSON already written.
type raw []byte

func (r raw) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

// objectType describes how to write the fields of one GraphQL object type
// whose values are T.
type objectType[T any] struct {
	name   string
	fields map[string]func(b []byte, v T) []byte
}

// list writes lists of one element type, with the plans compiled for the
// selections seen.
type list[T any] struct {
	typ        objectType[T]
	implements []string
	plans      *lru.Cache[string, *plan[T]]
}

func newList[T any](schema *ast.Schema, typ objectType[T]) *list[T] {
	implements := []string{typ.name}
	if def := schema.Types[typ.name]; def != nil {
		for _, d := range schema.GetImplements(def) {
			implements = append(implements, d.Name)
		}
	}
	plans, _ := lru.New[string, *plan[T]](planCacheSize)
	return &list[T]{typ: typ, implements: implements, plans: plans}
}

// plan is a compiled selection: for each field written, the bytes before
// its value (`{"alias":` or `,"alias":`) and what writes its value.
type plan[T any] struct {
	keys   [][]byte
	values []func(b []byte, v T) []byte
}

func (l *list[T]) write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context) error) ([]byte, bool, error) {
	items, ok := v.([]T)
	if !ok {
		return nil, false, nil
	}
	p := l.plan(oc, sel)
	if p == nil {
		return nil, false, nil
	}
	var zero T
	for _, item := range items {
		// gqlgen reports a nil element as an error of its own.
		if any(item) == any(zero) {
			return nil, false, nil
		}
	}
	// Elements are about as long as their keys, give or take; the
	// buffer grows once or twice at most.
	perItem := 2
	for _, k := range p.keys {
		perItem += 2 * len(k)
	}
	b := make([]byte, 0, 2+len(items)*perItem)
	b = append(b, '[')
	written := 0
	for i, item := range items {
		if i > 0 {
			b = append(b, ',')
		}
		if len(p.keys) == 0 {
			b = append(b, '{')
		}
		for f, key := range p.keys {
			b = append(b, key...)
			b = p.values[f](b, item)
		}
		b = append(b, '}')
		if written += len(p.keys) + 1; written >= paceFields {
			written = 0
			if err := pace(ctx); err != nil {
				return nil, false, err
			}
		}
	}
	if err := pace(ctx); err != nil {
		return nil, false, err
	}
	return append(b, ']'), true, nil
}

// plan returns the compiled plan of sel as the operation's variables make
// it (@include and @skip), or nil when gqlgen must write the list.
func (l *list[T]) plan(oc *graphql.OperationContext, sel ast.SelectionSet) *plan[T] {
	fields := graphql.CollectFields(oc, sel, l.implements)
	var key strings.Builder
	for _, f := range fields {
		if f.Deferrable != nil {
			return nil
		}
		key.WriteString(f.Alias)
		key.WriteByte(0)
		key.WriteString(f.Name)
		key.WriteByte(0)
	}
	if p, ok := l.plans.Get(key.String()); ok {
		return p
	}
	p := &plan[T]{}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		value := l.typ.fields[f.Name]
		if f.Name == "__typename" {
			value = constant[T](appendString(nil, l.typ.name))
		}
		if value == nil {
			return nil
		}
		// As gqlgen's FieldSet writes an alias once.
		if seen[f.Alias] {
			continue
		}
		seen[f.Alias] = true
		k := []byte{','}
		if i == 0 {
			k = []byte{'{'}
		}
		k = append(appendString(k, f.Alias), ':')
		p.keys = append(p.keys, k)
		p.values = append(p.values, value)
	}
	l.plans.Add(key.String(), p)
	return p
}

func constant[T any](s []byte) func([]byte, T) []byte {
	return func(b []byte, _ T) []byte { return append(b, s...) }
}
