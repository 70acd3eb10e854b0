package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/auth"
	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// TestCompiledListsMatchGqlgen: a chart's nodes and links, and its columns,
// written by the compiled marshallers are gqlgen's answer byte for byte, errors and their
// paths included, over generated selections (fields at random, repeated,
// aliased, in inline and named fragments, under @include and @skip with
// literals and variables, __typename), on the demo through the real
// resolvers and on generated charts whose names hold quotes, backslashes,
// control characters and invalid UTF-8, and whose enums and counts take
// every value.
func TestCompiledListsMatchGqlgen(t *testing.T) {
	seed := testseed.Seed(t, 17)
	t.Run("demo", func(t *testing.T) {
		compiled, gqlgen, a := twinServers(t, Config{})
		ctx := org.WithPrincipal(context.Background(), org.System)
		if _, err := compiled.svc.Import(ctx, demo.VinhPhuc().Clone().Reader()); err != nil {
			t.Fatal(err)
		}
		province, commune := compiled.orgID("Đảng bộ tỉnh Vĩnh Phúc"), compiled.orgID("Đảng bộ xã Tam Hồng")
		// A history to list: each of the commune's cells renamed by the
		// commune, by decisions numbered past those the demo records.
		var chart struct {
			OrgChart struct{ Nodes []struct{ ID, Name string } }
		}
		compiled.data(compiled.post(`query($r: ID!) { orgChart(rootId: $r, depth: 1) { nodes { id name } } }`, map[string]any{"r": commune}), &chart)
		for i, n := range chart.OrgChart.Nodes[1:] {
			compiled.data(compiled.post(`mutation($id: ID!, $name: String!, $d: DecisionInput!) { renameOrg(id: $id, name: $name, decision: $d) { seq } }`,
				map[string]any{"id": n.ID, "name": n.Name + " mới", "d": map[string]any{
					"number": fmt.Sprintf("%d-QĐ/ĐU", 901+i), "date": "2021-01-01", "issuerId": commune}}), &struct{}{})
		}
		// One root in eight does not exist: the answer is then an error.
		roots := []string{province, commune, province, commune, province, commune, province, "khong-co"}
		// The dev admin, and a viewer and an officer of the commune: a
		// viewer's personal fields are null with a FORBIDDEN error each.
		tokens := []string{"", ""}
		for _, role := range []org.AccessRole{org.Viewer, org.Officer} {
			token, err := a.Mint(&org.Principal{Subject: "t", Roles: []org.AccessRole{role}, Scope: []string{commune}}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, token)
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		compareQueries(t, rng, compiled, gqlgen, tokens, func() string { return roots[rng.IntN(len(roots))] }, nil)
	})
	t.Run("generated charts", func(t *testing.T) {
		static := &staticChart{}
		compiled, gqlgen, _ := twinServers(t, Config{Resolvers: static})
		static.Resolver = &graph.Resolver{Service: compiled.svc}
		rng := rand.New(rand.NewPCG(seed, 2))
		compareQueries(t, rng, compiled, gqlgen, []string{""}, func() string { return "any" }, func() { static.chart = randomChart(rng) })
	})
}

// twinServers serve the same store and service, one with the compiled
// lists and one with gqlgen's execution alone, with the same tokens.
func twinServers(t *testing.T, cfg Config) (compiled, gqlgen *testServer, a *auth.Authenticator) {
	t.Helper()
	a, err := auth.New(t.Context(), auth.Config{Secret: testSecret, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth = a
	compiled = newTestServer(t, cfg)
	cfg.Store, cfg.Service, cfg.GqlgenLists = compiled.store, compiled.svc, true
	ts := httptest.NewServer(NewHandler(cfg))
	t.Cleanup(ts.Close)
	return compiled, &testServer{t: t, url: ts.URL, svc: compiled.svc, store: compiled.store, day: compiled.day}, a
}

// compareQueries sends generated chart queries to both servers and compares
// their answers, each with one of tokens (none when empty); each round
// first calls refresh, when set.
func compareQueries(t *testing.T, rng *rand.Rand, compiled, gqlgen *testServer, tokens []string, root func() string, refresh func()) {
	var nodes, withErrors int
	seen := map[string]int{}
	for round := range 100 {
		if refresh != nil {
			refresh()
		}
		g := &queryGen{rng: rng, vars: map[string]any{}}
		query := g.query(root)
		body, _ := json.Marshal(map[string]any{"query": query, "variables": g.vars})
		token := tokens[rng.IntN(len(tokens))]
		want, got := rawPost(t, gqlgen.url, token, body), rawPost(t, compiled.url, token, body)
		if !bytes.Equal(got.data, want.data) || !slices.Equal(got.errors, want.errors) {
			t.Fatalf("round %d: %s\nvariables %v\ncompiled: %s\ngqlgen:   %s", round, query, g.vars, got, want)
		}
		nodes += bytes.Count(want.data, []byte(`{"`))
		for _, f := range []string{"seq", "fullName", "from", "name", "parentIds", "FORBIDDEN"} {
			if bytes.Contains(want.data, []byte(`"`+f+`":`)) || slices.ContainsFunc(want.errors, func(e string) bool { return strings.Contains(e, f) }) {
				seen[f]++
			}
		}
		if len(want.errors) > 0 {
			withErrors++
		}
	}
	t.Logf("%d objects written, %d answers with errors; answers with these fields: %v", nodes, withErrors, seen)
	// The generator must reach both kinds of answers.
	if nodes < 1000 || withErrors == 0 || withErrors > 100 {
		t.Fatalf("%d objects written, %d answers with errors: the generator exercises too little", nodes, withErrors)
	}
}

// rawAnswer is an answer as sent: its status, its data's bytes, and its
// errors' bytes in order (gqlgen resolves root fields concurrently, so their
// errors come in any order).
type rawAnswer struct {
	data   []byte
	errors []string
}

func (a rawAnswer) String() string { return fmt.Sprintf("data %s\nerrors %s", a.data, a.errors) }

func rawPost(t *testing.T, url, token string, body []byte) rawAnswer {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(requestIDHeader, testRequestID)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	out := rawAnswer{data: fmt.Appendf(nil, "%d %s", resp.StatusCode, answer.Data)}
	for _, e := range answer.Errors {
		out.errors = append(out.errors, string(e))
	}
	slices.Sort(out.errors)
	return out
}

// queryGen generates chart queries.
type queryGen struct {
	rng       *rand.Rand
	vars      map[string]any
	fragments []string
}

// gqlType is what the generator selects of an object type: its fields, and
// the object types some of them hold.
type gqlType struct {
	name    string
	fields  []string
	objects map[string]*gqlType
}

// The types of the lists the compiled path writes. Their fields include
// some with resolvers or directives of their own (a member's cell, personal
// data; a change's subjects, a decision's issuer), which gqlgen must write.
var (
	chartNodeType = &gqlType{name: "ChartNode", fields: []string{"id", "parentId", "name", "kind", "sector", "depth",
		"childCount", "hasChildren", "directMemberCount", "memberCount", "officialCount", "probationaryCount"}}
	chartLinkType = &gqlType{name: "ChartLink", fields: []string{"from", "to", "type", "memberCount"}}
	// The columns, lists of scalars, are written by the compiled path too.
	chartColumnsType = &gqlType{name: "ChartColumns", fields: []string{"size", "ids", "parentIds", "names", "kinds", "sectors",
		"depths", "childCounts", "directMemberCounts", "memberCounts", "officialCounts", "probationaryCounts"}}
	chartLinkColumnsType = &gqlType{name: "ChartLinkColumns", fields: []string{"size", "from", "to", "memberCounts"}}
	memberType           = &gqlType{name: "Member", fields: []string{"id", "fullName", "gender", "status", "asOf", "admittedOn",
		"politicalTheory", "ratings", "id", "fullName", "status", "officialOn", "cell", "birthDate", "phone"},
		objects: map[string]*gqlType{
			"ratings": {name: "YearRating", fields: []string{"year", "rating"}},
			"cell":    {name: "Org", fields: []string{"id", "name"}},
		}}
	memberEdgeType = &gqlType{name: "MemberEdge", fields: []string{"cursor", "node", "node"}, objects: map[string]*gqlType{"node": memberType}}
	changeType     = &gqlType{name: "Change", fields: []string{"seq", "type", "effectiveOn", "decision", "note", "actor",
		"recordedAt", "seq", "type", "decision", "subjects"},
		objects: map[string]*gqlType{
			"decision": {name: "Decision", fields: []string{"number", "date", "number", "date", "issuerId"}},
			"subjects": {name: "Node", fields: []string{"id"}},
		}}
	changeEdgeType = &gqlType{name: "ChangeEdge", fields: []string{"cursor", "node", "node"}, objects: map[string]*gqlType{"node": changeType}}
)

// query asks for one to three of a chart, a page of a cell's members and a
// page of the history.
func (g *queryGen) query(root func() string) string {
	var roots []string
	for i := range 1 + g.rng.IntN(3) {
		switch g.rng.IntN(4) {
		case 0:
			roots = append(roots, fmt.Sprintf("m%d: org(id: %q) { members(first: %d, subtree: true) { %s } }", i, root(), 1+g.rng.IntN(120),
				g.connection(memberType, memberEdgeType)))
		case 1:
			roots = append(roots, fmt.Sprintf("h%d: changes(first: %d) { %s }", i, 1+g.rng.IntN(200), g.connection(changeType, changeEdgeType)))
		default:
			roots = append(roots, g.chart(i, root()))
		}
	}
	var decls []string
	for name := range g.vars {
		decls = append(decls, "$"+name+": Boolean!")
	}
	head := "query Q"
	if len(decls) > 0 {
		head += "(" + strings.Join(decls, ", ") + ")"
	}
	return head + " { " + strings.Join(roots, " ") + " } " + strings.Join(g.fragments, " ")
}

func (g *queryGen) chart(i int, root string) string {
	args := fmt.Sprintf("rootId: %q", root)
	switch g.rng.IntN(10) {
	case 0:
		args += ", depth: -1"
	case 1, 2:
		args += fmt.Sprintf(", depth: %d", g.rng.IntN(3))
	case 3:
		args += ", kinds: [CELL, GRASSROOTS_COMMITTEE]"
	}
	items := []string{}
	for range 1 + g.rng.IntN(3) {
		switch g.rng.IntN(6) {
		case 0:
			items = append(items, "asOf")
		case 1:
			items = append(items, g.alias("columns")+"columns"+g.directive()+" { "+g.selection(chartColumnsType, 0)+" }")
			if g.rng.IntN(2) == 0 {
				items = append(items, g.alias("linkColumns")+"linkColumns"+g.directive()+" { "+g.selection(chartLinkColumnsType, 0)+" }")
			}
		case 2:
			items = append(items, g.alias("links")+"links"+g.directive()+" { "+g.selection(chartLinkType, 0)+" }")
		default:
			items = append(items, g.alias("nodes")+"nodes"+g.directive()+" { "+g.selection(chartNodeType, 0)+" }")
		}
	}
	if g.rng.IntN(4) == 0 {
		items = append(items, "... on OrgChart { nodes { "+g.selection(chartNodeType, 1)+" } }")
	}
	return fmt.Sprintf("c%d: orgChart(%s) { %s }", i, args, strings.Join(items, " "))
}

// connection selects nodes, edges or both of a connection.
func (g *queryGen) connection(node, edge *gqlType) string {
	items := []string{"totalCount"}
	for range 1 + g.rng.IntN(2) {
		if g.rng.IntN(2) == 0 {
			items = append(items, g.alias("nodes")+"nodes"+g.directive()+" { "+g.selection(node, 0)+" }")
		} else {
			items = append(items, g.alias("edges")+"edges"+g.directive()+" { "+g.selection(edge, 0)+" }")
		}
	}
	return strings.Join(items, " ")
}

// alias is no alias, or one of two for the field: the same alias always
// names the same field, so that fields merge as GraphQL allows.
func (g *queryGen) alias(field string) string {
	switch g.rng.IntN(4) {
	case 0:
		return strings.TrimPrefix(field, "__") + "A: "
	case 1:
		return strings.TrimPrefix(field, "__") + "B: "
	}
	return ""
}

// directive is mostly none, else @include or @skip of a literal or a variable.
func (g *queryGen) directive() string {
	if g.rng.IntN(4) > 0 {
		return ""
	}
	cond := fmt.Sprint(g.rng.IntN(2) == 0)
	if g.rng.IntN(2) == 0 {
		name := fmt.Sprintf("v%d", len(g.vars))
		g.vars[name] = g.rng.IntN(2) == 0
		cond = "$" + name
	}
	return fmt.Sprintf(" @%s(if: %s)", []string{"include", "skip"}[g.rng.IntN(2)], cond)
}

// selection selects some fields of typ (with repeats and __typename), some
// of them in fragments, each holding an object with a selection of its own.
func (g *queryGen) selection(typ *gqlType, depth int) string {
	var parts []string
	for range 1 + g.rng.IntN(len(typ.fields)+2) {
		f := typ.fields[g.rng.IntN(len(typ.fields))]
		if g.rng.IntN(8) == 0 {
			f = "__typename"
		}
		if sub := typ.objects[f]; sub != nil {
			if depth < 4 {
				parts = append(parts, g.alias(f)+f+g.directive()+" { "+g.selection(sub, depth+2)+" }")
			}
			continue
		}
		parts = append(parts, g.alias(f)+f+g.directive())
	}
	if len(parts) == 0 {
		parts = append(parts, "__typename")
	}
	for i := range parts {
		if depth >= 2 {
			break
		}
		switch g.rng.IntN(8) {
		case 0:
			parts[i] = "... on " + typ.name + g.directive() + " { " + parts[i] + " " + g.selection(typ, depth+1) + " }"
		case 1:
			parts[i] = "..." + g.directive() + " { " + parts[i] + " }"
		case 2:
			k := len(g.fragments)
			g.fragments = append(g.fragments, "") // the name is taken before the body spreads others
			body := parts[i] + " " + g.selection(typ, depth+1)
			name := fmt.Sprintf("F%d", k)
			g.fragments[k] = fmt.Sprintf("fragment %s on %s { %s }", name, typ.name, body)
			parts[i] = "..." + name + g.directive()
		}
	}
	return strings.Join(parts, " ")
}

// staticChart answers every orgChart with its chart.
type staticChart struct {
	*graph.Resolver
	chart *model.Chart
}

type staticChartQuery struct {
	generated.QueryResolver
	chart *model.Chart
}

func (s *staticChart) Query() generated.QueryResolver {
	return staticChartQuery{s.Resolver.Query(), s.chart}
}

func (q staticChartQuery) OrgChart(ctx context.Context, root string, depth *int, kinds []org.Kind, asOf *org.Date, scenario *string) (*model.Chart, error) {
	if depth != nil && *depth < 0 {
		return q.QueryResolver.OrgChart(ctx, root, depth, kinds, asOf, scenario)
	}
	return q.chart, nil
}

// randomChart is a chart of up to 300 nodes and links whose strings hold
// what JSON must escape and whose enums and counts take any value.
func randomChart(rng *rand.Rand) *model.Chart {
	texts := []string{"", "Chi bộ thôn Đồng Tâm", `a"b\c`, "\x00\x01\x1f\t\r\n\x7f", "\xc3\x22\xff", "\u2028\u2029", "<&>", "Đảng bộ xã Tam Hồng"}
	text := func() string { return texts[rng.IntN(len(texts))] + texts[rng.IntN(len(texts))] }
	count := func() int32 { return rng.Int32N(2000) - 10 }
	nodes := make([]org.ChartNode, rng.IntN(300))
	for i := range nodes {
		n := &nodes[i]
		n.ID, n.Name = text(), text()
		n.Kind, n.Sector = org.Kind(rng.IntN(org.NumKinds+2)), org.Sector(rng.IntN(org.NumSectors+2))
		if i > 0 {
			n.ChartParentID = text()
		}
		n.Depth = rng.IntN(20) - 1
		n.Counts = org.Counts{Children: count(), DirectOfficial: count(), DirectProbationary: count(), Official: count(), Probationary: count()}
	}
	links := make([]org.ResidenceLink, rng.IntN(300))
	for i := range links {
		links[i] = org.ResidenceLink{From: text(), To: text(), Members: rng.IntN(1000) - 10}
	}
	return model.NewChart(org.DateFrom(2021, 1, 1), nodes, func([]string) ([]org.ResidenceLink, error) { return links, nil })
}
