package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/internal/org"
	"dangbo/internal/playground"
	"dangbo/internal/store/memory"
)

// TestExamplesValidate: every playground tab, those naming organisations of
// the data included, is a valid document of the schema.
func TestExamplesValidate(t *testing.T) {
	s, err := memory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := org.NewService(s, nil)
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := svc.CreateOrg(ctx, org.NewOrg{Name: "Đảng bộ tỉnh Kon Tum", Kind: org.Province}); err != nil {
		t.Fatal(err)
	}
	qn, err := svc.CreateOrg(ctx, org.NewOrg{Name: "Đảng bộ tỉnh Quảng Ninh", Kind: org.Province})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrg(ctx, org.NewOrg{ParentID: qn.ID, Name: "Đảng bộ Khối các cơ quan tỉnh Quảng Ninh", Kind: org.District, Sector: org.SectorBloc}); err != nil {
		t.Fatal(err)
	}
	province, err := svc.CreateOrg(ctx, org.NewOrg{Name: "Đảng bộ tỉnh Vĩnh Phúc", Kind: org.Province})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrg(ctx, org.NewOrg{ParentID: province.ID, Name: "Đảng bộ xã Tam Hồng", Kind: org.GrassrootsCommittee}); err != nil {
		t.Fatal(err)
	}
	all := append(examples, dataExamples(ctx, svc)...)
	if len(all) != len(examples)+6 {
		t.Fatalf("%d tabs naming the data, want 6", len(all)-len(examples))
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives}).Schema()
	for _, e := range all {
		doc, errs := gqlparser.LoadQueryWithRules(schema, e.Query, nil)
		if len(errs) > 0 {
			t.Errorf("%s: %v", e.Name, errs)
			continue
		}
		// Every variable is pre-filled, so that a reader runs the tab as it is
		// (a scenario's id excepted: it exists once the tab's first operation ran).
		vars := map[string]any{}
		if e.Variables != "" {
			if err := json.Unmarshal([]byte(e.Variables), &vars); err != nil {
				t.Errorf("%s: variables %s: %v", e.Name, e.Variables, err)
			}
		}
		for _, op := range doc.Operations {
			for _, v := range op.VariableDefinitions {
				if _, ok := vars[v.Variable]; !ok {
					t.Errorf("%s: operation %s: variable $%s is not pre-filled", e.Name, op.Name, v.Variable)
				}
			}
		}
	}
}

// TestExamplesRunOnTheDemo: every query and mutation of every tab the playground opens
// with on the demo runs without errors, in the order a reader runs them, with
// the variables the tab brings (the scenario tab's id put in as its comment
// says); the scenario tab goes from creation to a real application.
func TestExamplesRunOnTheDemo(t *testing.T) {
	s := start(t, t.TempDir())
	tabs := playgroundTabs(t, s.url+"/")
	if len(tabs) != len(examples)+6 {
		t.Fatalf("the playground opens %d tabs, want %d", len(tabs), len(examples)+6)
	}
	applied := false
	for _, tab := range tabs {
		vars := map[string]any{}
		if tab.Variables != "" {
			if err := json.Unmarshal([]byte(tab.Variables), &vars); err != nil {
				t.Fatalf("%s: variables: %v", tab.Name, err)
			}
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: tab.Query})
		if err != nil {
			t.Fatalf("%s: %v", tab.Name, err)
		}
		for _, op := range doc.Operations {
			if op.Operation == ast.Subscription {
				continue // it never ends; TestPlaygroundSubscriptionsInABrowser runs it
			}
			data := s.runOperation(tab.Query, op.Name, vars)
			var got struct {
				CreateScenario *struct{ ID string }
				ApplyScenario  *struct {
					Scenario struct{ Status string }
					Changes  []struct{ Type string }
				}
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("%s, %s: %v", tab.Name, op.Name, err)
			}
			if got.CreateScenario != nil {
				vars["scenario"] = got.CreateScenario.ID
			}
			if a := got.ApplyScenario; a != nil {
				if a.Scenario.Status != "APPLIED" || len(a.Changes) == 0 {
					t.Fatalf("%s, %s: %s", tab.Name, op.Name, data)
				}
				applied = true
			}
		}
	}
	if !applied {
		t.Fatal("no tab applies a scenario")
	}
	var after struct{ Statistics stats }
	s.query(&after, `query($id: ID!) { statistics(orgId: $id) { `+statsFields+` } }`, map[string]any{"id": s.orgID("tinh quang ninh")})
	if after.Statistics.DistrictCount != 7 || after.Statistics.GrassrootsCount != 727 {
		t.Fatalf("Quảng Ninh after the scenario tab: %+v, want the 7 blocs and armed-forces committees left", after.Statistics)
	}
}

// playgroundTabs reads the tabs the playground page at pageURL opens with,
// from the settings it hands its script.
func playgroundTabs(t *testing.T, pageURL string) []playground.Example {
	t.Helper()
	resp, err := http.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := pageSettings.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no #page-settings in the playground page:\n%s", page)
	}
	var settings struct{ Examples []playground.Example }
	if err := json.Unmarshal(m[1], &settings); err != nil {
		t.Fatalf("page settings: %v\n%s", err, m[1])
	}
	return settings.Examples
}

var pageSettings = regexp.MustCompile(`(?s)<script[^>]*id="page-settings"[^>]*>(.*?)</script>`)

// runOperation runs one named operation of a document and returns its data,
// failing on errors.
func (s *service) runOperation(query, operation string, vars map[string]any) json.RawMessage {
	s.t.Helper()
	raw, _ := json.Marshal(map[string]any{"query": query, "operationName": operation, "variables": vars})
	req, _ := http.NewRequest("POST", s.url+"/graphql", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("operation %s: %d %v %s", operation, resp.StatusCode, err, body)
	}
	return r.Data
}

// orgID is the id of the best organisation match of text.
func (s *service) orgID(text string) string {
	s.t.Helper()
	var r struct {
		Search struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.query(&r, `query($t: String!) { search(text: $t, first: 1, types: [ORG]) { edges { node { ... on Org { id } } } } }`, map[string]any{"t": text})
	if len(r.Search.Edges) == 0 {
		s.t.Fatalf("no organisation matches %q", text)
	}
	return r.Search.Edges[0].Node.ID
}
