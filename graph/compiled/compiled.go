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
//
// A chart's columns, lists of thousands of scalars, are written here too:
// gqlgen allocates a marshaller per element, and the collector's work that
// garbage causes grows with the heap of the whole store, not with the chart.
package compiled

import (
	"context"
	"crypto/sha256"
	"hash"
	"io"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Lists is the gqlgen extension that writes the lists it knows.
type Lists struct {
	// Pace is called every paceFields fields or paceBytes bytes written, and
	// at the end of a list, with the bytes written since its previous call:
	// a list stops with its error (the request's deadline, the answer's
	// byte budget), and a heavy operation may yield the processor there.
	// Nil: the context's error only.
	Pace func(ctx context.Context, written int) error

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
	write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context, int) error) (out []byte, ok bool, err error)
}

// paceFields is how many fields a list writes between calls to Pace: the
// number of fields after which a heavy operation run by gqlgen yields.
const paceFields = 256

// paceBytes is how many bytes a list writes, at most, between calls to Pace
// (rounded up to an element): a few fields of long aliases in nested lists
// write far more than paceFields short ones.
const paceBytes = 64 << 10

// planCacheSize bounds the compiled plans kept per list field: clients send
// a handful of distinct selections.
const planCacheSize = 256

// maxCachedSelection is the longest selection, in the bytes of its fields'
// aliases and names, whose plan is kept: a plan holds its aliases, and a
// longer selection, compiled per request, pins nothing beyond it.
const maxCachedSelection = 4 << 10

// initialBuffer bounds what a list reserves before writing, from the size
// of its first element: the rest grows with what is written, up to the
// byte budget Pace enforces.
const initialBuffer = 8 << 20

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
	if fc == nil {
		return next(ctx)
	}
	// Most fields gqlgen executes are scalars of list elements.
	if len(fc.Field.Selections) == 0 {
		if fc.Object == "ChartColumns" || fc.Object == "ChartLinkColumns" {
			return l.column(ctx, next)
		}
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
	out, ok, err := list.write(ctx, graphql.GetOperationContext(ctx), fc.Field.Selections, res, l.pace())
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return res, nil
	}
	return raw(out), nil
}

// column writes a chart's column, a list of thousands of scalars, which
// gqlgen writes through a marshaller allocated per element: at a whole
// province, most of the garbage of a chart as columns, and the collector's
// work it causes grows with the heap of the whole store. Other fields (size)
// are gqlgen's.
func (l *Lists) column(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	var out []byte
	pace := l.pace()
	switch c := res.(type) {
	case []string:
		out, err = writeColumn(ctx, pace, c, func(s string) int { return len(s) + 2 }, appendString)
	case []*string:
		out, err = writeColumn(ctx, pace, c, func(s *string) int {
			if s == nil {
				return len("null")
			}
			return len(*s) + 2
		}, func(b []byte, s *string) []byte {
			if s == nil {
				return append(b, "null"...)
			}
			return appendString(b, *s)
		})
	case []int:
		out, err = writeColumn(ctx, pace, c, digits, func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(i), 10) })
	default:
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return raw(out), nil
}

// writeColumn writes items as a JSON array, each by appendItem, telling Pace
// as a list of objects does. The array is allocated once, of the size that
// size gives each item (more only where a string holds what JSON escapes).
func writeColumn[T any](ctx context.Context, pace func(context.Context, int) error, items []T, size func(T) int, appendItem func([]byte, T) []byte) ([]byte, error) {
	n := 2
	for _, item := range items {
		n += size(item) + 1
	}
	b := append(make([]byte, 0, min(n, initialBuffer)), '[')
	paced := 0
	for i, item := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, item)
		if (i+1)%paceFields == 0 || len(b)-paced >= paceBytes {
			if err := pace(ctx, len(b)-paced); err != nil {
				return nil, err
			}
			paced = len(b)
		}
	}
	b = append(b, ']')
	return b, pace(ctx, len(b)-paced)
}

// digits is the length of i in decimal.
func digits(i int) int {
	n := 1
	if i < 0 {
		n, i = 2, -i
	}
	for ; i >= 10; i /= 10 {
		n++
	}
	return n
}

// pace is Pace, or the context's error when it is nil.
func (l *Lists) pace() func(context.Context, int) error {
	if l.Pace == nil {
		return func(ctx context.Context, _ int) error { return ctx.Err() }
	}
	return l.Pace
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
	// sign adds the selection sel makes of the field's type to sig, or
	// reports that it cannot be compiled.
	sign(oc *graphql.OperationContext, sel ast.SelectionSet, sig *signature) bool
	compile(oc *graphql.OperationContext, sel ast.SelectionSet) func(w *writer, v T)
}

// signature is what identifies a selection's plan: the hash of its fields
// (aliases and names, nested selections in braces), their length and their
// number.
type signature struct {
	hash   hash.Hash
	size   int
	fields int
}

func (s *signature) write(b ...string) {
	for _, p := range b {
		_, _ = io.WriteString(s.hash, p)
		s.size += len(p)
	}
}

func (s *signature) key() (k [sha256.Size]byte) {
	s.hash.Sum(k[:0])
	return k
}

// sign adds the fields sel selects of t, as the operation's variables make
// them (@include and @skip), to sig: the plan's key in the cache. It reports
// false when gqlgen must write them.
func (t *objectType[T]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, sig *signature) bool {
	sig.write("{")
	for _, f := range graphql.CollectFields(oc, sel, t.implements) {
		if f.Deferrable != nil {
			return false
		}
		sig.write(f.Alias, "\x00", f.Name, "\x00")
		sig.fields++
		if n := t.objects[f.Name]; n != nil {
			if !n.sign(oc, f.Selections, sig) {
				return false
			}
		} else if t.leaves[f.Name] == nil && f.Name != "__typename" {
			return false
		}
	}
	sig.write("}")
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

func (o one[T, U]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, sig *signature) bool {
	return o.typ.sign(oc, sel, sig)
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

func (m many[T, U]) sign(oc *graphql.OperationContext, sel ast.SelectionSet, sig *signature) bool {
	return m.typ.sign(oc, sel, sig)
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
// selections seen, keyed by their signature's hash.
type list[T comparable] struct {
	typ   *objectType[T]
	plans *lru.Cache[[sha256.Size]byte, func(*writer, T)]
}

func newList[T comparable](typ *objectType[T]) *list[T] {
	plans, _ := lru.New[[sha256.Size]byte, func(*writer, T)](planCacheSize)
	return &list[T]{typ: typ, plans: plans}
}

// plan is the plan for sel, whose signature is sig: cached, unless sel is
// too long to keep.
func (l *list[T]) plan(oc *graphql.OperationContext, sel ast.SelectionSet, sig *signature) func(*writer, T) {
	if sig.size > maxCachedSelection {
		return l.typ.compile(oc, sel)
	}
	key := sig.key()
	if p, ok := l.plans.Get(key); ok {
		return p
	}
	p := l.typ.compile(oc, sel)
	l.plans.Add(key, p)
	return p
}

func (l *list[T]) write(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any, pace func(context.Context, int) error) ([]byte, bool, error) {
	items, ok := v.([]T)
	if !ok {
		return nil, false, nil
	}
	sig := signature{hash: sha256.New()}
	if !l.typ.sign(oc, sel, &sig) {
		return nil, false, nil
	}
	writeItem := l.plan(oc, sel, &sig)
	w := &writer{b: []byte{'['}}
	// paced is how much of w.b Pace has been told of; fields, how many
	// fields have been written since.
	paced, fields, perItem := 0, 0, 1+sig.fields
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
		if i == 0 {
			// The first element's size, times the elements, bounded.
			w.b = slices.Grow(w.b, min(len(w.b)*(len(items)-1), initialBuffer))
		}
		if fields += perItem; fields >= paceFields || len(w.b)-paced >= paceBytes {
			fields = 0
			if err := pace(ctx, len(w.b)-paced); err != nil {
				return nil, false, err
			}
			paced = len(w.b)
		}
	}
	w.b = append(w.b, ']')
	if err := pace(ctx, len(w.b)-paced); err != nil {
		return nil, false, err
	}
	return w.b, true, nil
}
