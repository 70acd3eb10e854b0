package compiled

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/org"
)

// allocated is the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// selection is the selection set of the field at path in query, parsed
// against the schema, and its operation.
func selection(t *testing.T, query string, path ...string) (*graphql.OperationContext, ast.SelectionSet) {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	doc, err := gqlparser.LoadQueryWithRules(schema, query, nil)
	if err != nil {
		t.Fatal(err)
	}
	sel := doc.Operations[0].SelectionSet
	for _, name := range path {
		f := sel[0].(*ast.Field)
		if f.Name != name {
			t.Fatalf("%s, not %s", f.Name, name)
		}
		sel = f.SelectionSet
	}
	return &graphql.OperationContext{Doc: doc, Variables: map[string]any{}}, sel
}

// A list stops as soon as what it has written passes what Pace allows, not
// after building the whole list: a whole province's nodes with 500 aliases
// of their name would be about 70 MB.
func TestListStopsAtByteBudget(t *testing.T) {
	nodes := make([]org.ChartNode, 5000)
	for i := range nodes {
		nodes[i] = org.ChartNode{Org: org.Org{ID: fmt.Sprint("o", i), Name: "Chi bộ Thôn Đông Xuân số " + fmt.Sprint(i)}}
	}
	chart := model.NewChart(org.DateFrom(2021, 1, 1), nodes, func([]string) ([]org.ResidenceLink, error) { return nil, nil })
	var fields strings.Builder
	for i := range 500 {
		fmt.Fprintf(&fields, " f%d: name", i)
	}
	oc, sel := selection(t, `{ orgChart(rootId: "a") { nodes {`+fields.String()+` } } }`, "orgChart", "nodes")
	l := &Lists{}
	if err := l.Validate(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})); err != nil {
		t.Fatal(err)
	}
	const budget = 1 << 20
	over := errors.New("over")
	var written int
	pace := func(_ context.Context, n int) error {
		if written += n; written > budget {
			return over
		}
		return nil
	}
	var err error
	bytes := allocated(func() {
		_, _, err = l.lists[listField{"OrgChart", "nodes"}].write(t.Context(), oc, sel, chart.Nodes(), pace)
	})
	if !errors.Is(err, over) {
		t.Fatalf("error %v, want the budget's", err)
	}
	// One element is about 20 KB: Pace hears of each.
	if written > budget+64<<10 {
		t.Errorf("stopped after %d bytes, budget %d", written, budget)
	}
	if bytes > 2*initialBuffer+8*budget {
		t.Errorf("allocated %d bytes for a budget of %d", bytes, budget)
	}
}

// What a list reserves follows what it writes, not the length of the
// selection's aliases times its elements: 500 members without ratings,
// whose ratings' selection has a 100,000-character alias, once reserved
// 100 MB.
func TestListReservesWhatItWrites(t *testing.T) {
	alias := strings.Repeat("a", 100_000)
	oc, sel := selection(t, `query($d: ID!) { org(id: $d) { members(subtree: true, first: 500) { nodes { id ratings { ...R } } } } }
		fragment R on YearRating { `+alias+`: year }`, "org", "members", "nodes")
	l := newList(newTypes(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()).member)
	members := make([]*model.Member, 500)
	for i := range members {
		members[i] = &model.Member{Member: org.Member{ID: fmt.Sprint("m", i)}}
	}
	var out []byte
	var err error
	bytes := allocated(func() {
		out, _, err = l.write(t.Context(), oc, sel, members, func(context.Context, int) error { return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if limit := uint64(4*(len(out)+len(alias)) + 64<<10); bytes > limit {
		t.Errorf("allocated %d bytes to write %d (limit %d)", bytes, len(out), limit)
	}
}

// Pace hears of every 64 KiB or so, however few the fields that wrote them:
// members whose three ratings each write a 10,000-character alias.
func TestListPacesByBytes(t *testing.T) {
	alias := strings.Repeat("a", 10_000)
	oc, sel := selection(t, `query($d: ID!) { org(id: $d) { members(first: 500) { nodes { ratings { `+alias+`: year } } } } }`,
		"org", "members", "nodes")
	l := newList(newTypes(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()).member)
	members := make([]*model.Member, 500)
	for i := range members {
		members[i] = &model.Member{Member: org.Member{ID: fmt.Sprint("m", i), Ratings: make([]org.YearRating, 3)}}
	}
	var most int
	_, _, err := l.write(t.Context(), oc, sel, members, func(_ context.Context, n int) error {
		most = max(most, n)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if most > paceBytes+40_000 {
		t.Errorf("%d bytes written between calls to Pace", most)
	}
}

// Plans are cached by their selection's hash, and a long selection's plan
// is not kept at all.
func TestPlanCacheKeepsShortSelections(t *testing.T) {
	l := newList(newTypes(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()).chartNode)
	nodes := []*model.ChartNode{{Org: model.Org{Org: org.Org{ID: "a"}}}}
	write := func(fields string) string {
		oc, sel := selection(t, `{ orgChart(rootId: "a") { nodes { `+fields+` } } }`, "orgChart", "nodes")
		out, ok, err := l.write(t.Context(), oc, sel, nodes, func(context.Context, int) error { return nil })
		if !ok || err != nil {
			t.Fatal(ok, err)
		}
		return string(out)
	}
	long := strings.Repeat("b", maxCachedSelection)
	for range 3 {
		if got := write(long + `: id`); got != `[{"`+long+`":"a"}]` {
			t.Fatalf("long: %.50s", got)
		}
		if got := write(`i: id`); got != `[{"i":"a"}]` {
			t.Fatalf("short: %s", got)
		}
	}
	if n := l.plans.Len(); n != 1 {
		t.Errorf("%d plans kept, want the short selection's", n)
	}
}
