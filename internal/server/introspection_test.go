package server

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"dangbo/graph/generated"
	"dangbo/internal/testseed"
)

// introspectionQuery is what the playground (GraphiQL, graphql-js 16's
// getIntrospectionQuery with inputValueDeprecation) asks.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) {
    name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// fieldCount counts the fields of an answer's data: every key of every
// object, what the cost model counts one each.
func fieldCount(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += fieldCount(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += fieldCount(e)
		}
		return n
	}
	return 0
}

// TestIntrospectionCost: introspection costs by the fields of its answer,
// counted before it runs, so that any shape (aliases of __schema included)
// is refused past the caller's budget, and what runs answers no more fields
// than it was charged for. The playground's own query costs under a tenth of
// a viewer's budget.
func TestIntrospectionCost(t *testing.T) {
	const limit = 10_000
	s := newTestServer(t, Config{MaxComplexity: limit})
	var full map[string]any
	r := s.post(introspectionQuery, nil)
	s.data(r, &full)
	cost := introspectionCostOf(t, introspectionQuery)
	if got := fieldCount(full); got > cost*introspectionFieldsPerUnit || cost > limit/10 {
		t.Fatalf("the playground's introspection answers %d fields, costs %d (limit %d)", got, cost, limit)
	}
	t.Logf("the playground's introspection: %d fields, cost %d", fieldCount(full), cost)

	// 3,000 aliases of the whole schema once ran 30 s; now more than a
	// document's shape allows, so 1,000, within it, for the cost.
	var b strings.Builder
	b.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&b, " s%d: __schema { types { name fields { name type { name } } } }", i)
	}
	b.WriteString(" }")
	if r := s.post(b.String(), nil); len(r.Errors) == 0 || r.codes()[0] != "COMPLEXITY_LIMIT_EXCEEDED" ||
		!strings.Contains(r.Errors[0].Message, "độ phức tạp trên 10000") {
		t.Fatalf("1,000 aliases of __schema: %+v", r.Errors)
	}

	rng := rand.New(rand.NewPCG(testseed.Seed(t, 19), 19))
	answered := 0
	for i := range 60 {
		query := randomIntrospection(rng)
		r := s.post(query, nil)
		if len(r.Errors) > 0 {
			// Past the budget, or nested past gqlparser's bound on
			// introspection's depth.
			if c := r.codes()[0]; c != "COMPLEXITY_LIMIT_EXCEEDED" && c != "GRAPHQL_VALIDATION_FAILED" {
				t.Fatalf("shape %d: %v for %s", i, r.Errors, query)
			}
			continue
		}
		var data any
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		if got, cost := fieldCount(data), introspectionCostOf(t, query); got > cost*introspectionFieldsPerUnit || cost > limit {
			t.Fatalf("shape %d answered %d fields for a cost of %d: %s", i, got, cost, query)
		}
		answered++
	}
	if answered < 10 || answered > 50 {
		t.Fatalf("%d of 60 shapes answered: the shapes try too little", answered)
	}
}

// introspectionCostOf is what a document of introspection fields only
// costs, counted to the end.
func introspectionCostOf(t *testing.T, query string) int {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if errs != nil {
		t.Fatalf("%v: %s", errs, query)
	}
	cost, _ := introspectionCost(schema, doc, doc.Operations[0].SelectionSet, math.MaxInt/introspectionFieldsPerUnit)
	return cost
}

// randomIntrospection is a random introspection document: aliases of
// __schema and __type with random, nested selections.
func randomIntrospection(rng *rand.Rand) string {
	var typ func(depth int) string
	pick := func(opts ...string) string { return opts[rng.IntN(len(opts))] }
	value := func(depth int) string {
		return "{ name defaultValue " + pick("", "type "+typ(depth+1)) + " }"
	}
	typ = func(depth int) string {
		if depth > 2 {
			return "{ name kind }"
		}
		var sel []string
		for range 1 + rng.IntN(4) {
			switch rng.IntN(8) {
			case 0:
				sel = append(sel, "name kind")
			case 1:
				sel = append(sel, "fields { name "+pick("", "args "+value(depth), "type "+typ(depth+1))+" }")
			case 2:
				sel = append(sel, "ofType "+typ(depth+1))
			case 3:
				sel = append(sel, "inputFields "+value(depth))
			case 4:
				sel = append(sel, "enumValues { name isDeprecated }")
			case 5:
				sel = append(sel, "possibleTypes "+typ(depth+1))
			case 6:
				sel = append(sel, "interfaces "+typ(depth+1))
			default:
				sel = append(sel, "description")
			}
		}
		return "{ " + strings.Join(sel, " ") + " }"
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range 1 + rng.IntN(6) {
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, " t%d: __type(name: %q) %s", i, pick("Org", "Query", "Mutation", "OrgKind", "CreateOrgInput", "SearchHit"), typ(0))
		} else {
			fmt.Fprintf(&b, " s%d: __schema { %s }", i, pick("types "+typ(0), "queryType "+typ(0), "directives { name args "+value(0)+" }"))
		}
	}
	b.WriteString(" }")
	return b.String()
}
