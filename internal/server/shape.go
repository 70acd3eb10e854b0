package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits on a document's shape, checked before gqlparser validates it. The
// validation rule OverlappingFieldsCanBeMerged compares every two fields
// that answer under the same name in a selection set (fragments merged in),
// recursively, and every two fragments spread together: 95,000 repetitions
// of __typename (1 MB) kept a core busy for minutes, outside any deadline
// and before the cost limit could look at the operation. The largest
// legitimate documents (every field of the schema to depth 5, 3,000
// aliases, 2,500 inline scenario operations) stay well within them.
const (
	// maxTokens bounds the document's length, so that parsing it is cheap.
	maxTokens = 50_000
	// maxNesting bounds how deep brackets nest: selection sets, arguments,
	// lists and objects.
	maxNesting = 64
	// maxOperations, maxFragments and maxVariables bound what some rules
	// compare with each other: every two operations, every two variables,
	// a fragment spread with each fragment defined.
	maxOperations = 100
	maxFragments  = 500
	maxVariables  = 1_000
	// maxExpandedFields bounds the selections (fields, fragments spread,
	// inline fragments, with their directives and arguments' values) of
	// the operations and fragments with every fragment spread replaced by
	// its selections: a fragment spread twice in a fragment spread twice…
	// doubles at each level, and a chain of fragments each spreading the
	// next is walked again from each. Measuring the overlaps walks as many,
	// and validation walks each operation's fragments again (every error
	// it finds there once per operation).
	maxExpandedFields = 20_000
	// maxComparisons bounds the comparisons of fields and fragments that
	// validation makes, estimated from the shape (overlapCost).
	maxComparisons = 10_000
	// pairCost is what comparing two selection sets (of two fields, or two
	// fragments) costs besides their fields, in comparisons of two leaves:
	// gqlparser collects the fields of each into a map (measured by
	// BenchmarkValidateAtTheShapeLimits).
	pairCost = 4
	// directiveCost is what a directive costs among a document's
	// selections (see shape.directives).
	directiveCost = 4
)

// documentShape refuses a document whose parsing or validation would cost
// more than any legitimate request, before gqlgen parses and validates it.
// Documents gqlgen has validated and cached passed it and are not measured
// again.
type documentShape struct {
	validated graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentShape{}

func (documentShape) ExtensionName() string                   { return "DocumentShape" }
func (documentShape) Validate(graphql.ExecutableSchema) error { return nil }

func (d documentShape) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		return nil
	}
	if _, ok := d.validated.Get(ctx, raw.Query); ok {
		return nil
	}
	return d.refuses(raw.Query)
}

// refuses is the error, if any, of a document whose shape exceeds the
// limits.
func (documentShape) refuses(query string) *gqlerror.Error {
	src := &ast.Source{Input: query}
	if err := checkTokens(src); err != nil {
		return err
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil // gqlgen reports the syntax error, with where it lies
	}
	return checkShape(doc)
}

// checkTokens is the error, if any, of a document of too many tokens or
// nested too deeply (validating a list nested 20,000 deep takes a second).
func checkTokens(src *ast.Source) *gqlerror.Error {
	lex := lexer.New(src)
	depth := 0
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil // a syntax error is gqlgen's to report
		}
		switch tok.Kind {
		case lexer.BraceL, lexer.BracketL, lexer.ParenL:
			depth++
		case lexer.BraceR, lexer.BracketR, lexer.ParenR:
			depth--
		}
		if n == maxTokens {
			return shapeError("Truy vấn quá dài: tối đa 50.000 token (tên, dấu ngoặc, giá trị…); hãy chia thành nhiều truy vấn " +
				"hoặc chuyển giá trị lớn sang biến (variables).")
		}
		if depth > maxNesting {
			return shapeError("Truy vấn lồng quá sâu: tối đa 64 cấp ngoặc.")
		}
	}
}

// checkShape is the error, if any, of a document whose shape exceeds the
// limits.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	variables := 0
	for _, op := range doc.Operations {
		variables += len(op.VariableDefinitions)
	}
	if len(doc.Operations) > maxOperations || len(doc.Fragments) > maxFragments || variables > maxVariables {
		return shapeError("Tài liệu có quá nhiều thao tác (tối đa 100), fragment (tối đa 500) hoặc biến (tối đa 1.000): " +
			"hãy chia thành nhiều yêu cầu.")
	}
	s := newShape(doc)
	roots := make([]ast.SelectionSet, 0, len(doc.Operations)+len(doc.Fragments))
	for _, op := range doc.Operations {
		roots = append(roots, op.SelectionSet)
	}
	for _, f := range doc.Fragments { // validated on their own too, even unused
		roots = append(roots, f.SelectionSet)
	}
	total := 0
	for _, set := range roots {
		if total += s.expanded(set); total > maxExpandedFields {
			return shapeError("Truy vấn có quá nhiều trường khi mở rộng các fragment (tối đa 20.000): " +
				"hãy bớt các fragment lồng nhau hoặc chia thành nhiều truy vấn.")
		}
	}
	for _, set := range roots {
		s.overlap(set, merged{})
		if s.cost > maxComparisons {
			return shapeError("Truy vấn lặp lại quá nhiều trường cùng tên hoặc fragment trong cùng một tập chọn: " +
				"hãy đặt bí danh khác nhau, bỏ các trường trùng lặp hoặc chia thành nhiều truy vấn.")
		}
	}
	return nil
}

func shapeError(msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": errComplexityLimit}
	return err
}

// shape measures a document.
type shape struct {
	doc *ast.QueryDocument
	// sizes holds each fragment's expanded field count; -1 while it is
	// being counted, so that a cycle (which validation reports) ends.
	sizes map[string]int
	// cost is the comparisons estimated so far.
	cost int
	// inside holds the fragments being merged, so that a cycle ends.
	inside map[string]bool
}

func newShape(doc *ast.QueryDocument) *shape {
	return &shape{doc: doc, sizes: map[string]int{}, inside: map[string]bool{}}
}

// expanded counts the fields of set with each fragment spread replaced by
// its fields, saturating above the limit.
func (s *shape) expanded(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n += 1 + s.directives(sel.Directives) + s.arguments(sel.Arguments) + s.expanded(sel.SelectionSet)
		case *ast.InlineFragment:
			n += 1 + s.directives(sel.Directives) + s.expanded(sel.SelectionSet)
		case *ast.FragmentSpread:
			// Validation finds a spread's fragment by a scan of them all.
			n += 1 + len(s.doc.Fragments)/8 + s.directives(sel.Directives) + s.fragmentSize(sel.Name)
		}
		if n > maxExpandedFields {
			return maxExpandedFields + 1
		}
	}
	return n
}

// directives and arguments are what validation walks of a selection's
// directives and a field's arguments: every one, every value inside. A
// directive counts as directiveCost: one it does not know, or repeated, is
// an error (two), found again for each operation spreading it.
func (s *shape) directives(ds ast.DirectiveList) int {
	n := directiveCost * len(ds)
	for _, d := range ds {
		n += s.arguments(d.Arguments)
	}
	return n
}

func (s *shape) arguments(args ast.ArgumentList) int {
	n := len(args)
	for _, a := range args {
		n += valueSize(a.Value)
	}
	return n
}

func valueSize(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 1
	for _, c := range v.Children {
		n += valueSize(c.Value)
	}
	return n
}

func (s *shape) fragmentSize(name string) int {
	if n, ok := s.sizes[name]; ok {
		return max(n, 0)
	}
	def := s.doc.Fragments.ForName(name)
	if def == nil {
		return 0
	}
	s.sizes[name] = -1
	n := s.expanded(def.SelectionSet)
	s.sizes[name] = n
	return n
}

// merged is a selection set with the fields of every copy of it merged by
// the name they answer under: the fields validation compares with each other
// are those merged into one entry.
type merged map[string]*mergedField

type mergedField struct {
	n int
	// args and subs add up the arguments and the selections of the n
	// fields merged so far: two fields are compared argument by argument,
	// and their selections collected.
	args, subs int
	sub        merged
}

// overlap adds to s.cost the comparisons validation makes for set, merged
// into into: every two fields of an entry, and for every two distinct
// fragments spread together, the fields of both.
func (s *shape) overlap(set ast.SelectionSet, into merged) {
	var spreads []string
	s.merge(set, into, &spreads)
	for i, a := range spreads {
		for _, b := range spreads[i+1:] {
			if a != b {
				s.cost += pairCost + s.fragmentSize(a) + s.fragmentSize(b)
			}
		}
		if s.cost > maxComparisons {
			return
		}
	}
}

// merge merges set's fields into into, fragments' fields included, noting
// the fragments set spreads itself (directly or in inline fragments).
func (s *shape) merge(set ast.SelectionSet, into merged, spreads *[]string) {
	for _, sel := range set {
		if s.cost > maxComparisons {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			name := sel.Alias
			if name == "" {
				name = sel.Name
			}
			f := into[name]
			if f == nil {
				f = &mergedField{sub: merged{}}
				into[name] = f
			}
			// Two fields with selections are compared by collecting the
			// fields of both.
			if k := len(sel.SelectionSet); k > 0 {
				s.cost += f.n*(pairCost+k) + f.subs
			} else {
				s.cost += f.n
			}
			s.cost += f.args * len(sel.Arguments)
			f.n++
			f.args += len(sel.Arguments)
			f.subs += len(sel.SelectionSet)
			if len(sel.SelectionSet) > 0 {
				s.overlap(sel.SelectionSet, f.sub)
			}
		case *ast.InlineFragment:
			s.merge(sel.SelectionSet, into, spreads)
		case *ast.FragmentSpread:
			if spreads != nil {
				*spreads = append(*spreads, sel.Name)
			}
			def := s.doc.Fragments.ForName(sel.Name)
			if def == nil || s.inside[sel.Name] {
				continue
			}
			s.inside[sel.Name] = true
			s.merge(def.SelectionSet, into, nil)
			delete(s.inside, sel.Name)
		}
	}
}

// sizedEntries is a cache that keeps entries of at most smallCachedBytes
// (by size) in small and larger ones, up to maxCachedBytes, in large, which
// holds few: the syntax tree of a document of many aliases takes about 33
// times its text, and a thousand 16 KiB documents a client chose held half
// a gigabyte. Larger documents are parsed each time they come, which their
// shape limits keep cheap.
func sizedEntries[T any](small, large graphql.Cache[T], size func(key string, value T) int) graphql.Cache[T] {
	return sizedCache[T]{small, large, size}
}

// smallCachedBytes is above what clients send again and again (the
// playground's examples, charts, pages); maxCachedBytes far above it.
const (
	smallCachedBytes = 4 << 10
	maxCachedBytes   = 16 << 10
)

type sizedCache[T any] struct {
	small, large graphql.Cache[T]
	size         func(string, T) int
}

func (c sizedCache[T]) Get(ctx context.Context, key string) (T, bool) {
	if v, ok := c.small.Get(ctx, key); ok {
		return v, true
	}
	return c.large.Get(ctx, key)
}

func (c sizedCache[T]) Add(ctx context.Context, key string, value T) {
	switch n := c.size(key, value); {
	case n <= smallCachedBytes:
		c.small.Add(ctx, key, value)
	case n <= maxCachedBytes:
		c.large.Add(ctx, key, value)
	}
}
