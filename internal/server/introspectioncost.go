package server

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// introspectionCost is what the introspection fields of an operation
// (__schema, __type) cost: one per introspectionFieldsPerUnit fields of
// their answer, counted on the schema itself. gqlgen leaves __schema out of
// its complexity, so 3,000 aliases of it once ran 30 s. The count stops once
// the cost passes stop, so that counting costs no more than the budget it
// checks; cut tells that it stopped.
func introspectionCost(schema *ast.Schema, doc *ast.QueryDocument, set ast.SelectionSet, stop int) (cost int, cut bool) {
	c := introspectionCounter{schema: schema, doc: doc, stop: max(stop, 0) * introspectionFieldsPerUnit}
	c.root(set)
	return (c.n + introspectionFieldsPerUnit - 1) / introspectionFieldsPerUnit, c.done()
}

// introspectionFieldsPerUnit is how many fields of an introspection answer
// cost one unit: about what a node of a chart holds. The playground's own
// introspection (about 8,600 fields) costs under 900.
const introspectionFieldsPerUnit = 10

// introspectionFields are the root fields introspectionCost counts;
// gqlgen's complexity leaves them out.
var introspectionFields = map[string]struct{}{"Query.__schema": {}, "Query.__type": {}}

type introspectionCounter struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	stop   int
	n      int
}

func (c *introspectionCounter) done() bool { return c.n > c.stop }

// fields calls fn with each field of set, fragments spread.
func (c *introspectionCounter) fields(set ast.SelectionSet, fn func(*ast.Field)) {
	for _, sel := range set {
		if c.done() {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			fn(s)
		case *ast.InlineFragment:
			c.fields(s.SelectionSet, fn)
		case *ast.FragmentSpread:
			if f := c.doc.Fragments.ForName(s.Name); f != nil {
				c.fields(f.SelectionSet, fn)
			}
		}
	}
}

func (c *introspectionCounter) root(set ast.SelectionSet) {
	c.fields(set, func(f *ast.Field) {
		switch f.Name {
		case "__schema":
			c.n++
			c.schemaFields(f.SelectionSet)
		case "__type":
			c.n++
			name, _ := f.ArgumentMap(nil)["name"].(string)
			if def := c.schema.Types[name]; def != nil {
				c.typeFields(f.SelectionSet, &ast.Type{NamedType: name})
			}
		}
	})
}

func (c *introspectionCounter) schemaFields(set ast.SelectionSet) {
	c.fields(set, func(f *ast.Field) {
		c.n++
		switch f.Name {
		case "types":
			for name := range c.schema.Types {
				c.typeFields(f.SelectionSet, &ast.Type{NamedType: name})
			}
		case "queryType", "mutationType", "subscriptionType":
			root := map[string]*ast.Definition{"queryType": c.schema.Query, "mutationType": c.schema.Mutation,
				"subscriptionType": c.schema.Subscription}[f.Name]
			if root != nil {
				c.typeFields(f.SelectionSet, &ast.Type{NamedType: root.Name})
			}
		case "directives":
			for _, d := range c.schema.Directives {
				c.directiveFields(f.SelectionSet, d)
			}
		}
	})
}

// typeFields counts a __Type's selection for typ, wrappers (lists, non-null)
// included as introspection shows them.
func (c *introspectionCounter) typeFields(set ast.SelectionSet, typ *ast.Type) {
	def := c.schema.Types[typ.Name()]
	wrapped := typ.NonNull || typ.Elem != nil
	c.fields(set, func(f *ast.Field) {
		c.n++
		switch {
		case f.Name == "ofType" && wrapped:
			inner := *typ
			if inner.NonNull {
				inner.NonNull = false
			} else {
				inner = *typ.Elem
			}
			c.typeFields(f.SelectionSet, &inner)
		case wrapped || def == nil:
		case f.Name == "fields" && (def.Kind == ast.Object || def.Kind == ast.Interface):
			for _, fd := range def.Fields {
				if !strings.HasPrefix(fd.Name, "__") {
					c.fieldFields(f.SelectionSet, fd.Arguments, fd.Type)
				}
			}
		case f.Name == "inputFields" && def.Kind == ast.InputObject:
			for _, fd := range def.Fields {
				c.valueFields(f.SelectionSet, fd.Type)
			}
		case f.Name == "interfaces":
			for _, name := range def.Interfaces {
				c.typeFields(f.SelectionSet, &ast.Type{NamedType: name})
			}
		case f.Name == "possibleTypes" && def.IsAbstractType():
			for _, p := range c.schema.GetPossibleTypes(def) {
				c.typeFields(f.SelectionSet, &ast.Type{NamedType: p.Name})
			}
		case f.Name == "enumValues":
			for range def.EnumValues {
				c.fields(f.SelectionSet, func(*ast.Field) { c.n++ })
			}
		}
	})
}

// fieldFields counts a __Field's selection.
func (c *introspectionCounter) fieldFields(set ast.SelectionSet, args ast.ArgumentDefinitionList, typ *ast.Type) {
	c.fields(set, func(f *ast.Field) {
		c.n++
		switch f.Name {
		case "args":
			for _, a := range args {
				c.valueFields(f.SelectionSet, a.Type)
			}
		case "type":
			c.typeFields(f.SelectionSet, typ)
		}
	})
}

// valueFields counts an __InputValue's selection.
func (c *introspectionCounter) valueFields(set ast.SelectionSet, typ *ast.Type) {
	c.fields(set, func(f *ast.Field) {
		c.n++
		if f.Name == "type" {
			c.typeFields(f.SelectionSet, typ)
		}
	})
}

// directiveFields counts a __Directive's selection.
func (c *introspectionCounter) directiveFields(set ast.SelectionSet, d *ast.DirectiveDefinition) {
	c.fields(set, func(f *ast.Field) {
		c.n++
		if f.Name == "args" {
			for _, a := range d.Arguments {
				c.valueFields(f.SelectionSet, a.Type)
			}
		}
	})
}
