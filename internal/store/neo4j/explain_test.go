package neo4j

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// Kinds of what a statement's plan must not do, unless explainAllowed lists
// the statement with a reason.
const (
	planEager      = "Eager"                                   // materialises every row before going on
	planScan       = "a label or all-nodes scan"               // where an index should anchor
	planUnanchored = "an unanchored variable-length expansion" // its start nodes come from a scan
)

// explainAllowed are the statements allowed, by kind of finding, what their
// plans would otherwise fail on, and why. Not calibrated on a server when
// written (none runs where the adapter is developed): an entry is added when
// the workflow's Neo4j job names a statement, with the reason it is right.
var explainAllowed = map[string]map[string]string{
	"commit": {planEager: "each part reads what an earlier part of the same statement wrote " +
		"(organisations before their facts and counts); one per write, its rows bounded by the batch"},
	"migrate_counts": {planEager: "deletes an organisation's dated counts before creating its new ones; " +
		"a migration's batch, bounded"},
	"wipe_batch":      {planScan: "deletes every node: the scan is what it is for", planEager: "a bounded batch of deletions"},
	"import_state":    {planScan: "EXISTS { (:Org) } stops at the first organisation"},
	"import_claim":    {planScan: "EXISTS { (:Org) } stops at the first organisation"},
	"migration_claim": {planScan: "EXISTS { (:Org) } stops at the first organisation"},
	"scenarios_all":   {planScan: "lists every scenario: the scan is the answer, and scenarios are few"},
	"roots_at": {planScan: "known (issue 16): a version part of nothing has no parentId to index; " +
		"it reads every organisation's versions, once per roots query"},
}

// explainSkipped are the statements EXPLAIN has no plan for.
func explainSkipped(name string) bool { return strings.HasPrefix(name, "schema_") }

// planFinding is one thing a plan does that it must not.
type planFinding struct {
	kind string
	path string // the operators from the root down to it
}

// baseOperator is an operator's name without the database the server appends
// ("NodeByLabelScan@neo4j").
func baseOperator(p n4j.Plan) string {
	op, _, _ := strings.Cut(p.Operator(), "@")
	return op
}

// isScan tells the operators that read every node of a label, or of the graph.
func isScan(op string) bool {
	return strings.Contains(op, "NodeByLabelScan") || strings.Contains(op, "NodeByLabelsScan") ||
		strings.Contains(op, "AllNodesScan") || strings.Contains(op, "AllRelationshipsScan") ||
		strings.Contains(op, "RelationshipTypeScan")
}

// isVarLength tells the operators that follow paths of any length.
func isVarLength(op string) bool {
	return strings.Contains(op, "VarLengthExpand") || strings.Contains(op, "VarExpand") ||
		strings.HasPrefix(op, "Repeat(") || strings.Contains(op, "ShortestPath")
}

// isApply tells the operators whose right-hand side runs once per row of the
// left, its Argument standing for that row.
func isApply(op string) bool {
	return strings.HasSuffix(op, "Apply") || strings.HasSuffix(op, "Foreach")
}

// contains tells whether p or any operator under it passes is.
func contains(p n4j.Plan, is func(string) bool) bool {
	if is(baseOperator(p)) {
		return true
	}
	return slices.ContainsFunc(p.Children(), func(c n4j.Plan) bool { return contains(c, is) })
}

// planFindings walks a plan: Eager operators, scans, and variable-length
// expansions whose start nodes come from a scan, directly or through the
// Argument of an Apply whose left-hand side scans.
func planFindings(root n4j.Plan) []planFinding {
	var out []planFinding
	var walk func(p n4j.Plan, path string, argumentScanned bool)
	walk = func(p n4j.Plan, path string, argumentScanned bool) {
		op := baseOperator(p)
		if path += op; op == "Eager" {
			out = append(out, planFinding{planEager, path})
		}
		if isScan(op) {
			out = append(out, planFinding{planScan, path})
		}
		children := p.Children()
		if isVarLength(op) && len(children) > 0 {
			source := children[0]
			if contains(source, isScan) || argumentScanned && contains(source, func(op string) bool { return op == "Argument" }) {
				out = append(out, planFinding{planUnanchored, path})
			}
		}
		for i, c := range children {
			scanned := argumentScanned
			if i == 1 && isApply(op) {
				scanned = scanned || contains(children[0], isScan)
			}
			walk(c, path+" > ", scanned)
		}
	}
	walk(root, "", false)
	return out
}

// planFailures are the findings of statement name's plan that explainAllowed
// does not allow, each a message naming the file and the operator.
func planFailures(name string, plan n4j.Plan) []string {
	var out []string
	for _, f := range planFindings(plan) {
		if _, ok := explainAllowed[name][f.kind]; !ok {
			out = append(out, fmt.Sprintf("cypher/%s.cypher plans %s: %s\n"+
				"  fix the statement, or list it in explainAllowed (explain_test.go) with the reason it is right", name, f.kind, f.path))
		}
	}
	return out
}

// explainParams are plausible values of the parameters of every statement,
// by name, of the types the adapter sends, and the statements whose
// parameter of the same name is something else (by statement, by name);
// orgID and memberID are ids of the imported demo.
func explainParams(orgID, memberID string) (values map[string]any, overrides map[string]map[string]any) {
	at := dateParam(demo.End)
	now := time.Now().UTC()
	counts := encodeCounts(org.Counts{Children: 1})
	values = map[string]any{
		"key": metaKey, "id": orgID, "ids": []string{orgID, memberID}, "near": []string{orgID, memberID}, "subtrees": []string{orgID},
		"cells": []string{orgID}, "roots": []string{orgID}, "within": orgID, "issuerId": orgID,
		"at": at, "since": at, "until": at, "fromOn": at, "fromSeq": int64(0), "types": []string{"ORG_RENAMED"},
		"asks": []any{map[string]any{"id": orgID, "at": at}}, "afterKey": "", "afterId": "", "after": "",
		"before": int64(1000), "limit": int64(100), "query": "vinh", "seconds": int64(indexWaitSeconds),
		"now": now, "stale": now.Add(-time.Minute), "last": false, "version": int64(schemaVersion),
		"commit": "k", "rev": int64(1), "json": "{}", "createdAt": now,
		"rows": []any{map[string]any{"id": orgID, "counts": counts, "changedTo": at,
			"changes": []any{map[string]any{"since": at, "counts": counts}}}},
		"orgs": []any{}, "orgFacts": []string{}, "versions": []any{}, "parts": []any{}, "members": []any{},
		"memberFacts": []string{}, "stints": []any{}, "residences": []any{}, "roles": []any{}, "changes": []any{}, "rescoped": []any{},
		"counts": []any{}, "countChanges": []any{}, "audit": []any{}, "changeSeq": int64(0), "revised": false,
	}
	overrides = map[string]map[string]any{
		"changes_after":         {"after": int64(0)},
		"migrate_decision_keys": {"after": int64(0)},
		"commit":                {"at": now}, // a DATETIME there
		"decision_date":         {"key": "12-qđ/tu"},
		"search_orgs":           {"within": []string{orgID}},
		"search_members":        {"within": []string{orgID}},
	}
	return values, overrides
}

// TestExplainEveryStatement imports the demo into the server NEO4J_URI names
// (it wipes the database), then asks the server for the plan of every
// statement of cypher/ with plausible parameters and fails on what
// planFindings finds that explainAllowed does not allow.
func TestExplainEveryStatement(t *testing.T) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		t.Skip("NEO4J_URI not set: Neo4j integration tests skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cfg := Config{URI: uri, User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", uri, err)
	}
	defer s.Close()
	if err := s.wipe(ctx, ""); err != nil {
		t.Fatal(err)
	}
	// The planner chooses by the statistics of the data: those of the demo.
	if _, err := s.Import(ctx, demo.VinhPhuc().Clone().Reader()); err != nil {
		t.Fatal(err)
	}
	roots, err := s.Roots(ctx, org.View{At: demo.End})
	if err != nil || len(roots) == 0 {
		t.Fatalf("roots %v, %v", roots, err)
	}
	var member string
	if err := s.read(ctx, func(q querier) (err error) {
		ids, err := idList(ctx, q, "member_ids_after", map[string]any{"after": "", "limit": int64(1)})
		if len(ids) > 0 {
			member = ids[0]
		}
		return err
	}); err != nil || member == "" {
		t.Fatalf("a member: %v", err)
	}
	d := s.db.(*driverTransactor)
	values, overrides := explainParams(roots[0].ID, member)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for name := range statements {
			if !explainSkipped(name) && !yield(name) {
				return
			}
		}
	}) {
		st := statements[name]
		params := map[string]any{}
		for _, p := range st.params {
			v, ok := overrides[name][p]
			if !ok {
				if v, ok = values[p]; !ok {
					t.Errorf("cypher/%s.cypher: no plausible value of $%s: add one to explainParams", name, p)
					continue
				}
			}
			params[p] = v
		}
		session := d.driver.NewSession(ctx, n4j.SessionConfig{AccessMode: n4j.AccessModeWrite, DatabaseName: d.database})
		result, err := session.Run(ctx, "EXPLAIN\n"+st.text, params)
		var summary n4j.ResultSummary
		if err == nil {
			summary, err = result.Consume(ctx)
		}
		session.Close(ctx)
		if err != nil {
			t.Errorf("cypher/%s.cypher: EXPLAIN: %v", name, err)
			continue
		}
		if summary.Plan() == nil {
			t.Errorf("cypher/%s.cypher: the server gave no plan", name)
			continue
		}
		for _, failure := range planFailures(name, summary.Plan()) {
			t.Error(failure)
		}
	}
}

// testPlan is a plan tree built by hand, as the driver hands one back.
type testPlan struct {
	op       string
	children []n4j.Plan
}

func (p testPlan) Operator() string          { return p.op + "@neo4j" }
func (p testPlan) Arguments() map[string]any { return nil }
func (p testPlan) Identifiers() []string     { return nil }
func (p testPlan) Children() []n4j.Plan      { return p.children }

func plan(op string, children ...n4j.Plan) n4j.Plan { return testPlan{op, children} }

// TestPlanFindings checks the plan walker on plans shaped as the server
// answers for the adapter's kinds of statements.
func TestPlanFindings(t *testing.T) {
	for _, c := range []struct {
		name string
		plan n4j.Plan
		want []planFinding
	}{
		{"a path up from an organisation found by its id", plan("ProduceResults",
			plan("VarLengthExpand(All)", plan("NodeUniqueIndexSeek"))), nil},
		{"a path from every organisation", plan("ProduceResults",
			plan("VarLengthExpand(All)", plan("NodeByLabelScan"))), []planFinding{
			{planUnanchored, "ProduceResults > VarLengthExpand(All)"},
			{planScan, "ProduceResults > VarLengthExpand(All) > NodeByLabelScan"},
		}},
		{"ids unwound, each sought, then a path", plan("ProduceResults",
			plan("VarLengthExpand(All)", plan("Apply", plan("Unwind", plan("Argument")), plan("NodeUniqueIndexSeek", plan("Argument"))))), nil},
		{"a subquery's path from each row of a scan", plan("ProduceResults",
			plan("Apply", plan("NodeByLabelScan"), plan("VarLengthExpand(All)", plan("Argument")))), []planFinding{
			{planScan, "ProduceResults > Apply > NodeByLabelScan"},
			{planUnanchored, "ProduceResults > Apply > VarLengthExpand(All)"},
		}},
		{"a subquery's path from each row of a seek", plan("ProduceResults",
			plan("Apply", plan("NodeIndexSeek"), plan("VarLengthExpand(All)", plan("Argument")))), nil},
		{"a quantified path from a scan", plan("ProduceResults",
			plan("Repeat(Trail)", plan("AllNodesScan"), plan("Expand(All)", plan("Argument")))), []planFinding{
			{planUnanchored, "ProduceResults > Repeat(Trail)"},
			{planScan, "ProduceResults > Repeat(Trail) > AllNodesScan"},
		}},
		{"an Eager between writes", plan("ProduceResults", plan("EmptyResult", plan("Create",
			plan("Eager", plan("Delete", plan("Expand(All)", plan("NodeUniqueIndexSeek"))))))), []planFinding{
			{planEager, "ProduceResults > EmptyResult > Create > Eager"},
		}},
		{"aggregation is not Eager", plan("ProduceResults", plan("EagerAggregation", plan("NodeIndexSeekByRange"))), nil},
		{"a count from the count store", plan("ProduceResults", plan("NodeCountFromCountStore")), nil},
	} {
		if got := planFindings(c.plan); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %v, want %v", c.name, got, c.want)
		}
	}
	// The allowlist names the file and the kind; anything else fails with both.
	eager := plan("ProduceResults", plan("Eager", plan("NodeUniqueIndexSeek")))
	if got := planFailures("commit", eager); len(got) != 0 {
		t.Errorf("commit may plan an Eager: %v", got)
	}
	got := planFailures("children_at", eager)
	if len(got) != 1 || !strings.Contains(got[0], "cypher/children_at.cypher plans Eager: ProduceResults > Eager") {
		t.Errorf("failures %v", got)
	}
	for name, kinds := range explainAllowed {
		if statements[name] == nil {
			t.Errorf("explainAllowed lists %s, which is no statement", name)
		}
		for kind, reason := range kinds {
			if !slices.Contains([]string{planEager, planScan, planUnanchored}, kind) || reason == "" {
				t.Errorf("explainAllowed[%s][%q] = %q: want a kind of finding and a reason", name, kind, reason)
			}
		}
	}
	// Every parameter of every statement has a plausible value.
	values, overrides := explainParams("o", "m")
	for name, st := range statements {
		for _, p := range st.params {
			if _, ok := overrides[name][p]; !ok && values[p] == nil && !explainSkipped(name) {
				t.Errorf("cypher/%s.cypher: no plausible value of $%s", name, p)
			}
		}
	}
}
