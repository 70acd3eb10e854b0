// Package compiled writes lists of thousands of objects (a chart's nodes
// and links, pages of members and of changes) through a marshaller compiled
// for the selection a query makes of them, instead of gqlgen's execution:
// gqlgen resolves every field of every element through its middleware and
// builds a marshaller per value, which made a whole province's chart as
// objects 5× slower than the same data as columns.
//
// The seam is gqlgen's own: a field interceptor may answer a field with a
// graphql.Marshaler, which gqlgen then writes as the field's value. The
// interceptor lets gqlgen resolve the list field as usual (its resolver,
// directives and errors unchanged), then writes the list itself when every
// field selected below it is read from the value as gqlgen's generated code
// reads it. Anything else falls back to gqlgen: a field with a resolver of
// its own (a member's cell, personal data and its masking, a change's
// subjects), @defer, a value gqlgen would report as an error (a null where
// the schema forbids one). The output is gqlgen's byte for byte: the
// server's tests compare the two on generated selections.
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

// listField is a field of an object type that answers a list of objects.
type listField struct{ object, field string }

// lister writes the value a list field resolved to, or reports that gqlgen
// must.
type lister interface {
	write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context) error) (out []byte, ok bool, err error)
}

// paceFields is how many fields a list writes between calls to Pace: the
// number of fields after which a heavy operation run by gqlgen yields.
const paceFields = 256

// planCacheSize bounds the compiled plans kept per list field: a plan is a
// few hundred bytes, and clients send a handful of distinct selections.
const planCacheSize = 256

func (*Lists) ExtensionName() string { return "CompiledLists" }

// Validate learns from the schema which types and interfaces each object
// type satisfies, as gqlgen's generated code does; it compiles nothing yet.
func (l *Lists) Validate(es graphql.ExecutableSchema) error {
	t := newTypes(es.Schema())
	l.lists = map[listField]lister{
		{"OrgChart", "nodes"}:         newList(t.chartNode),
		{"OrgChart", "links"}:         newList(t.chartLink),
		{"MemberConnection", "nodes"}: newList(t.member),
		{"MemberConnection", "edges"}: newList(t.memberEdge),
		{"ChangeConnection", "nodes"}: newList(t.change),
		{"ChangeConnection", "edges"}: newList(t.changeEdge),
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

// writer is the JSON being written. A value that gqlgen would not write as
// it is fails it, and gqlgen then writes the whole list.
type writer struct {
	b      []byte
	failed bool
}

// objectType describes how to write the fields of a GraphQL object type
// whose values are T: its scalar and enum fields, and its fields holding
// objects.
type objectType[T any] struct {
	name       string
	implements []string
	leaves     map[string]func(w *writer, v T)
	objects    map[string]nested[T]
}

// nested is a field of T that holds an object or a list of objects.
type nested[T any] interface {
	// sign writes the selection sel makes of the field's type to key, or
	// reports that it cannot be compiled.
	sign(oc *graphql.OperationContext, sel ast.SelectionSet, key *strings.Builder) bool
	compile(oc *graphql.OperationContext, sel ast.SelectionSet) func(w *writer, v T)
}

// sign writes the fields sel selects of t, as the operation's variables
// make them (@include and @skip), to key: the plan's key in the cache. It
// reports false when gqlgen must write them.
func (t *objectType[T]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, key *strings.Builder) bool {
	key.WriteByte('{')
	for _, f := range graphql.CollectFields(oc, sel, t.implements) {
		if f.Deferrable != nil {
			return false
		}
		key.WriteString(f.Alias)
		key.WriteByte(0)
		key.WriteString(f.Name)
		key.WriteByte(0)
		if n := t.objects[f.Name]; n != nil {
			if !n.sign(oc, f.Selections, key) {
				return false
			}
		} else if t.leaves[f.Name] == nil && f.Name != "__typename" {
			return false
		}
	}
	key.WriteByte('}')
	return true
}

// compile returns what writes the fields sel selects of a value of t, once
// sign has accepted sel.
func (t *objectType[T]) compile(oc *graphql.OperationContext, sel ast.SelectionSet) func(w *writer, v T) {
	fields := graphql.CollectFields(oc, sel, t.implements)
	var keys [][]byte
	var values []func(*writer, T)
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		// As gqlgen's FieldSet writes an alias once.
		if seen[f.Alias] {
			continue
		}
		seen[f.Alias] = true
		k := []byte{','}
		if i == 0 {
			k = []byte{'{'}
		}
		keys = append(keys, append(appendString(k, f.Alias), ':'))
		switch value := t.leaves[f.Name]; {
		case f.Name == "__typename":
			values = append(values, constant[T](appendString(nil, t.name)))
		case value != nil:
			values = append(values, value)
		default:
			values = append(values, t.objects[f.Name].compile(oc, f.Selections))
		}
	}
	if len(keys) == 0 {
		return func(w *writer, _ T) { w.b = append(w.b, "{}"...) }
	}
	return func(w *writer, v T) {
		for i, k := range keys {
			w.b = append(w.b, k...)
			values[i](w, v)
		}
		w.b = append(w.b, '}')
	}
}

func constant[T any](s []byte) func(*writer, T) {
	return func(w *writer, _ T) { w.b = append(w.b, s...) }
}

// one is a non-null field of T holding an object of type U; get reports
// false when the value is missing, which gqlgen reports as an error.
type one[T, U any] struct {
	get func(T) (U, bool)
	typ *objectType[U]
}

func (o one[T, U]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, key *strings.Builder) bool {
	return o.typ.sign(oc, sel, key)
}

func (o one[T, U]) compile(oc *graphql.OperationContext, sel ast.SelectionSet) func(*writer, T) {
	write := o.typ.compile(oc, sel)
	return func(w *writer, v T) {
		u, ok := o.get(v)
		if !ok {
			w.failed = true
			return
		}
		write(w, u)
	}
}

// many is a non-null field of T holding a list of objects of type U.
type many[T, U any] struct {
	get func(T) []U
	typ *objectType[*U]
}

func (m many[T, U]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, key *strings.Builder) bool {
	return m.typ.sign(oc, sel, key)
}

func (m many[T, U]) compile(oc *graphql.OperationContext, sel ast.SelectionSet) func(*writer, T) {
	write := m.typ.compile(oc, sel)
	return func(w *writer, v T) {
		items := m.get(v)
		w.b = append(w.b, '[')
		for i := range items {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			write(w, &items[i])
		}
		w.b = append(w.b, ']')
	}
}

// list writes lists of one element type with the plans compiled for the
// selections seen.
type list[T comparable] struct {
	typ   *objectType[T]
	plans *lru.Cache[string, func(*writer, T)]
}

func newList[T comparable](typ *objectType[T]) *list[T] {
	plans, _ := lru.New[string, func(*writer, T)](planCacheSize)
	return &list[T]{typ: typ, plans: plans}
}

func (l *list[T]) write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context) error) ([]byte, bool, error) {
	items, ok := v.([]T)
	if !ok {
		return nil, false, nil
	}
	var key strings.Builder
	if !l.typ.sign(oc, sel, &key) {
		return nil, false, nil
	}
	writeItem, ok := l.plans.Get(key.String())
	if !ok {
		writeItem = l.typ.compile(oc, sel)
		l.plans.Add(key.String(), writeItem)
	}
	// The estimate counts the selection's key bytes twice per element: the
	// buffer grows once or twice at most.
	w := &writer{b: make([]byte, 0, 2+len(items)*(2+2*key.Len()))}
	w.b = append(w.b, '[')
	written, perItem := 0, 1+strings.Count(key.String(), "\x00")/2
	var zero T
	for i, item := range items {
		// gqlgen reports a null element as an error of its own.
		if item == zero {
			return nil, false, nil
		}
		if i > 0 {
			w.b = append(w.b, ',')
		}
		writeItem(w, item)
		if w.failed {
			return nil, false, nil
		}
		if written += perItem; written >= paceFields {
			written = 0
			if err := pace(ctx); err != nil {
				return nil, false, err
			}
		}
	}
	if err := pace(ctx); err != nil {
		return nil, false, err
	}
	return append(w.b, ']'), true, nil
}
