package server

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// scenarioWorld is a district with two communes: Tam Hồng with a village cell
// of two members and a school cell of two, Đồng Văn with a village cell of
// three; every member is official.
type scenarioWorld struct {
	s                                            *testServer
	province, district, commune, village, school string
	commune2, village2                           string
}

func newScenarioWorld(t *testing.T) *scenarioWorld {
	w := &scenarioWorld{s: newTestServer(t, Config{})}
	w.province, w.district, w.commune, w.village, w.school = w.s.commune()
	ctx := org.WithPrincipal(context.Background(), auth.DevPrincipal())
	mk := func(parent, name string, kind org.Kind, sector org.Sector) string {
		o, err := w.s.svc.CreateOrg(ctx, org.NewOrg{ParentID: parent, Name: name, Kind: kind, Sector: sector})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	w.commune2 = mk(w.district, "Đảng bộ xã Đồng Văn", org.GrassrootsCommittee, org.SectorCommune)
	w.village2 = mk(w.commune2, "Chi bộ thôn Tây", org.Cell, org.SectorVillage)
	for cell, n := range map[string]int{w.village: 2, w.school: 2, w.village2: 3} {
		for i := range n {
			_, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: fmt.Sprintf("Đảng Viên %c", 'A'+i),
				Status: org.Official, AdmittedOn: org.DateFrom(2010, 1, 1)})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// A month on, so that what began today may end.
	w.s.day.Store(int32(later))
	return w
}

// later is the scenario world's today: a month after its organisations began.
var later = org.DateFrom(2021, 2, 1)

// scenarioOp is one operation of a scenario as the API lists it.
type scenarioOp struct {
	Key, Index  int
	Type        string
	Input       map[string]any
	Applied     bool
	Error       *string
	ErrorCode   *string
	Created     []string
	ChangeCount int
}

const scenarioFields = `id name baseAsOf status createdBy canUndo canRedo within { id }
	operations { key index type input applied error errorCode created changeCount }`

type scenarioAnswer struct {
	ID, Name, BaseAsOf, Status, CreatedBy string
	CanUndo, CanRedo                      bool
	Within                                *struct{ ID string }
	Operations                            []scenarioOp
}

// TestScenarioWhatIf: a scenario that moves the school to the other commune
// and dissolves the village into the other village, read as if applied,
// compared with the live structure, then applied.
func TestScenarioWhatIf(t *testing.T) {
	w := newScenarioWorld(t)
	s := w.s
	var created struct{ CreateScenario scenarioAnswer }
	s.data(s.post(`mutation($d: ID!) { createScenario(name: " Sắp xếp xã ", within: $d) { `+scenarioFields+` } }`,
		map[string]any{"d": w.district}), &created)
	sc := created.CreateScenario
	if sc.Name != "Sắp xếp xã" || sc.BaseAsOf != "2021-02-01" || sc.Status != "OPEN" || sc.CreatedBy == "" ||
		sc.Within == nil || sc.Within.ID != w.district || len(sc.Operations) != 0 || sc.CanUndo || sc.CanRedo {
		t.Fatalf("createScenario = %+v", sc)
	}

	var added struct{ AddScenarioOperations scenarioAnswer }
	s.data(s.post(`mutation($id: ID!, $ops: [ScenarioOperationInput!]!) { addScenarioOperations(id: $id, operations: $ops) { `+scenarioFields+` } }`,
		map[string]any{"id": sc.ID, "ops": []any{
			map[string]any{"transferOrg": map[string]any{"id": w.school, "parentId": w.commune2}, "note": "về Đồng Văn"},
			map[string]any{"dissolveOrg": map[string]any{"id": w.village, "membersTo": w.village2}},
		}}), &added)
	ops := added.AddScenarioOperations.Operations
	if len(ops) != 2 || ops[0].Key != 1 || ops[0].Index != 0 || ops[0].Type != "TRANSFER_ORG" || !ops[0].Applied ||
		ops[0].Error != nil || ops[0].ChangeCount != 1 || ops[0].Input["parentId"] != w.commune2 || ops[0].Input["note"] != "về Đồng Văn" ||
		ops[1].Key != 2 || ops[1].Type != "DISSOLVE_ORG" || !ops[1].Applied || ops[1].ChangeCount != 1 || len(ops[1].Created) != 0 ||
		!added.AddScenarioOperations.CanUndo || added.AddScenarioOperations.CanRedo {
		t.Fatalf("addScenarioOperations = %+v", added.AddScenarioOperations)
	}

	// The same reads, live and in the scenario.
	const reads = `query($sc: ID, $school: ID!, $c: ID!, $c2: ID!, $d: ID!) {
		school: org(id: $school, scenario: $sc) { asOf parent { id name memberCount children { totalCount } } }
		commune: org(id: $c, scenario: $sc) { children { totalCount } memberCount }
		commune2: org(id: $c2) { children(scenario: $sc) { totalCount nodes { id directMemberCount parent { id } } } }
		statistics(orgId: $d, scenario: $sc) { cellCount memberCount grassrootsCount }
		orgChart(rootId: $d, scenario: $sc) { asOf nodes { id parentId memberCount } }
	}`
	type readAnswer struct {
		School struct {
			AsOf   string
			Parent struct {
				ID, Name    string
				MemberCount int
				Children    struct{ TotalCount int }
			}
		}
		Commune struct {
			Children    struct{ TotalCount int }
			MemberCount int
		}
		Commune2 struct {
			Children struct {
				TotalCount int
				Nodes      []struct {
					ID                string
					DirectMemberCount int
					Parent            struct{ ID string }
				}
			}
		}
		Statistics struct{ CellCount, MemberCount, GrassrootsCount int }
		OrgChart   struct {
			AsOf  string
			Nodes []struct {
				ID          string
				ParentID    *string
				MemberCount int
			}
		}
	}
	vars := map[string]any{"school": w.school, "c": w.commune, "c2": w.commune2, "d": w.district}
	var live, whatIf readAnswer
	s.data(s.post(reads, vars), &live)
	vars["sc"] = sc.ID
	s.data(s.post(reads, vars), &whatIf)

	if live.School.Parent.ID != w.commune || live.School.Parent.MemberCount != 4 || live.School.Parent.Children.TotalCount != 2 ||
		live.Commune.Children.TotalCount != 2 || live.Commune.MemberCount != 4 || live.Commune2.Children.TotalCount != 1 ||
		live.Statistics != (struct{ CellCount, MemberCount, GrassrootsCount int }{3, 7, 2}) || len(live.OrgChart.Nodes) != 6 {
		t.Fatalf("live = %+v", live)
	}
	// Nested fields answer in the scenario too: the school's new parent has
	// both cells, the village's members are in the other village.
	if whatIf.School.AsOf != "2021-02-01" || whatIf.School.Parent.ID != w.commune2 || whatIf.School.Parent.MemberCount != 7 ||
		whatIf.School.Parent.Children.TotalCount != 2 ||
		whatIf.Commune.Children.TotalCount != 0 || whatIf.Commune.MemberCount != 0 || whatIf.Commune2.Children.TotalCount != 2 ||
		whatIf.Statistics != (struct{ CellCount, MemberCount, GrassrootsCount int }{2, 7, 2}) || whatIf.OrgChart.AsOf != "2021-02-01" {
		t.Fatalf("what if = %+v", whatIf)
	}
	direct := map[string]int{}
	for _, n := range whatIf.Commune2.Children.Nodes {
		direct[n.ID] = n.DirectMemberCount
		if n.Parent.ID != w.commune2 {
			t.Fatalf("a child's parent in the scenario: %+v", n)
		}
	}
	if direct[w.village2] != 5 || direct[w.school] != 2 {
		t.Fatalf("cells of Đồng Văn in the scenario: %v", direct)
	}
	chart := map[string]string{}
	for _, n := range whatIf.OrgChart.Nodes {
		chart[n.ID] = deref(n.ParentID)
	}
	if len(whatIf.OrgChart.Nodes) != 5 || chart[w.school] != w.commune2 || chart[w.commune] != w.district {
		t.Fatalf("chart in the scenario: %+v", whatIf.OrgChart.Nodes)
	}
	if _, ok := chart[w.village]; ok {
		t.Fatalf("the dissolved village is in the scenario's chart: %+v", whatIf.OrgChart.Nodes)
	}
	// The dissolved village is gone in the scenario, and still there live.
	var village struct{ Live, WhatIf *struct{ ID string } }
	s.data(s.post(`query($v: ID!, $sc: ID) { live: org(id: $v) { id } whatIf: org(id: $v, scenario: $sc) { id } }`,
		map[string]any{"v": w.village, "sc": sc.ID}), &village)
	if village.Live == nil || village.WhatIf != nil {
		t.Fatalf("the village live and in the scenario: %+v", village)
	}
	// A connection given asOf reads live even below a scenario's object.
	var conn struct {
		Org struct{ Children struct{ TotalCount int } }
	}
	s.data(s.post(`query($c: ID!, $sc: ID) { org(id: $c, scenario: $sc) { children(asOf: "2021-01-01") { totalCount } } }`,
		map[string]any{"c": w.commune, "sc": sc.ID}), &conn)
	if conn.Org.Children.TotalCount != 2 {
		t.Fatalf("children(asOf) below a scenario's org = %+v", conn)
	}

	// The diff: the school moved, the other village gained the members, the
	// village ended and its R1 finding with it.
	var diff struct {
		ScenarioDiff struct {
			Scenario   struct{ ID string }
			AsIs, ToBe struct{ CellCount, MemberCount int }
			Figures    []struct {
				Name            string
				AsIs, ToBe, Net float64
			}
			Nodes []struct {
				ID          string
				Changes     []string
				MemberDelta int
				Before      *struct {
					DirectMemberCount int
					Parent            struct{ ID string }
				}
				After *struct {
					DirectMemberCount int
					Parent            struct{ ID string }
				}
			}
			ViolationsAdded    []struct{ Rule, SubjectID string }
			ViolationsResolved []struct {
				Rule, SubjectID string
				Subject         *struct{ ID string }
			}
		}
	}
	s.data(s.post(`query($id: ID!) { scenarioDiff(id: $id) {
		scenario { id } asIs { cellCount memberCount } toBe { cellCount memberCount } figures { name asIs toBe net }
		nodes { id changes memberDelta before { directMemberCount parent { id } } after { directMemberCount parent { id } } }
		violationsAdded { rule subjectId } violationsResolved { rule subjectId subject { id } } } }`,
		map[string]any{"id": sc.ID}), &diff)
	d := diff.ScenarioDiff
	if d.Scenario.ID != sc.ID || d.AsIs.CellCount != 3 || d.ToBe.CellCount != 2 || d.AsIs.MemberCount != 7 || d.ToBe.MemberCount != 7 {
		t.Fatalf("scenarioDiff counts = %+v", d)
	}
	figures := map[string][3]float64{}
	for _, f := range d.Figures {
		figures[f.Name] = [3]float64{f.AsIs, f.ToBe, f.Net}
	}
	if figures["organisations"] != [3]float64{6, 5, -1} || figures["kind.CELL"] != [3]float64{3, 2, -1} ||
		figures["members"] != [3]float64{7, 7, 0} || figures["cellsBySector.VILLAGE"] != [3]float64{2, 1, -1} ||
		figures["cellsBelowThreeOfficial"] != [3]float64{2, 1, -1} {
		t.Fatalf("figures = %v", figures)
	}
	if len(d.Nodes) != 5 {
		t.Fatalf("nodes = %+v", d.Nodes)
	}
	for _, n := range d.Nodes {
		switch n.ID {
		case w.school:
			if !slices.Equal(n.Changes, []string{"MOVED"}) || n.MemberDelta != 0 ||
				n.Before.Parent.ID != w.commune || n.After.Parent.ID != w.commune2 {
				t.Errorf("the school's change = %+v", n)
			}
		case w.village2:
			if !slices.Equal(n.Changes, []string{"MEMBERS_CHANGED"}) || n.MemberDelta != 2 ||
				n.Before.DirectMemberCount != 3 || n.After.DirectMemberCount != 5 {
				t.Errorf("the other village's change = %+v", n)
			}
		case w.village:
			if !slices.Equal(n.Changes, []string{"ENDED"}) || n.MemberDelta != -2 || n.Before == nil || n.After != nil {
				t.Errorf("the village's change = %+v", n)
			}
		case w.commune, w.commune2: // the school's members left one commune's subtree for the other's
			if !slices.Equal(n.Changes, []string{"MEMBERS_CHANGED"}) || n.MemberDelta != 4 && n.MemberDelta != -4 {
				t.Errorf("a commune's change = %+v", n)
			}
		default:
			t.Errorf("unexpected change %+v", n)
		}
	}
	if d.Nodes[4].ID != w.village {
		t.Errorf("organisations that end come last: %+v", d.Nodes)
	}
	if len(d.ViolationsAdded) != 0 || len(d.ViolationsResolved) != 1 || d.ViolationsResolved[0].Rule != "R1" ||
		d.ViolationsResolved[0].SubjectID != w.village || d.ViolationsResolved[0].Subject == nil {
		t.Fatalf("violations added %+v, resolved %+v", d.ViolationsAdded, d.ViolationsResolved)
	}

	// Undo takes the dissolution back, redo puts it back.
	var undone struct{ UndoScenarioOperation scenarioAnswer }
	s.data(s.post(`mutation($id: ID!) { undoScenarioOperation(id: $id) { `+scenarioFields+` } }`, map[string]any{"id": sc.ID}), &undone)
	if u := undone.UndoScenarioOperation; len(u.Operations) != 1 || u.Operations[0].Key != 1 || !u.CanUndo || !u.CanRedo {
		t.Fatalf("undo = %+v", u)
	}
	var st struct{ Statistics struct{ CellCount int } }
	s.data(s.post(`query($d: ID!, $sc: ID) { statistics(orgId: $d, scenario: $sc) { cellCount } }`,
		map[string]any{"d": w.district, "sc": sc.ID}), &st)
	if st.Statistics.CellCount != 3 {
		t.Fatalf("cells after undo = %+v", st)
	}
	var redone struct{ RedoScenarioOperation scenarioAnswer }
	s.data(s.post(`mutation($id: ID!) { redoScenarioOperation(id: $id) { `+scenarioFields+` } }`, map[string]any{"id": sc.ID}), &redone)
	if r := redone.RedoScenarioOperation; len(r.Operations) != 2 || r.Operations[1].Key != 2 || r.Operations[1].Type != "DISSOLVE_ORG" || r.CanRedo {
		t.Fatalf("redo = %+v", r)
	}

	// Applying performs both operations live, in the history.
	var applied struct {
		ApplyScenario struct {
			Scenario struct {
				Status     string
				Applied    struct{ Number string }
				AppliedOn  string
				Operations []struct{ Applied bool }
				Violations []struct{ Rule string }
			}
			Changes []struct {
				Seq      int
				Type     string
				Decision struct{ Number string }
				Note     *string
			}
		}
	}
	s.data(s.post(`mutation($id: ID!, $d: ID!) { applyScenario(id: $id, decision: {number: "30-QĐ/HU", date: "2021-01-01", issuerId: $d}) {
		scenario { status applied { number } appliedOn operations { applied } violations { rule } }
		changes { seq type decision { number } note } } }`, map[string]any{"id": sc.ID, "d": w.district}), &applied)
	a := applied.ApplyScenario
	if a.Scenario.Status != "APPLIED" || a.Scenario.Applied.Number != "30-QĐ/HU" || a.Scenario.AppliedOn != "2021-02-01" ||
		len(a.Scenario.Operations) != 2 || !a.Scenario.Operations[0].Applied || len(a.Scenario.Violations) != 0 {
		t.Fatalf("applied scenario = %+v", a.Scenario)
	}
	if len(a.Changes) != 2 || a.Changes[0].Type != "TRANSFERRED" || a.Changes[1].Type != "DISSOLVED" || a.Changes[0].Seq == 0 ||
		a.Changes[1].Seq <= a.Changes[0].Seq || a.Changes[0].Decision.Number != "30-QĐ/HU" || deref(a.Changes[0].Note) != "về Đồng Văn" {
		t.Fatalf("applied changes = %+v", a.Changes)
	}
	var after readAnswer
	delete(vars, "sc")
	s.data(s.post(reads, vars), &after)
	if after.School.Parent.ID != w.commune2 || after.Commune.Children.TotalCount != 0 ||
		after.Statistics != (struct{ CellCount, MemberCount, GrassrootsCount int }{2, 7, 2}) || len(after.OrgChart.Nodes) != 5 {
		t.Fatalf("live after applying = %+v", after)
	}
	var hist struct {
		Changes struct{ Nodes []struct{ Seq int } }
	}
	s.data(s.post(`query($d: ID!) { changes(within: $d) { nodes { seq } } }`, map[string]any{"d": w.district}), &hist)
	if len(hist.Changes.Nodes) != 2 {
		t.Fatalf("history after applying = %+v", hist)
	}
	// An applied scenario is closed: it is not read as a what-if any more.
	r := s.post(`query($c: ID!, $sc: ID) { org(id: $c, scenario: $sc) { id } }`, map[string]any{"c": w.commune, "sc": sc.ID})
	if outcome(r) != org.EConflict {
		t.Fatalf("reading an applied scenario: %+v", r.Errors)
	}
	var listed struct {
		Open, Applied []struct{ ID string }
	}
	s.data(s.post(`{ open: scenarios(status: OPEN) { id } applied: scenarios(status: APPLIED) { id } }`, nil), &listed)
	if len(listed.Open) != 0 || len(listed.Applied) != 1 || listed.Applied[0].ID != sc.ID {
		t.Fatalf("scenarios = %+v", listed)
	}
}

// TestScenarioFindingsAndRefusals: what a scenario accepts with a finding,
// what it refuses, and how a closed one behaves.
func TestScenarioFindingsAndRefusals(t *testing.T) {
	w := newScenarioWorld(t)
	s := w.s
	var created struct{ CreateScenario struct{ ID string } }
	s.data(s.post(`mutation($p: ID!) { createScenario(name: "Tỉnh", within: $p) { id } }`, map[string]any{"p": w.province}), &created)
	id := created.CreateScenario.ID
	addOps := `mutation($id: ID!, $ops: [ScenarioOperationInput!]!) { addScenarioOperations(id: $id, operations: $ops) {
		operations { key type applied error created } } }`

	// An unknown id is refused with the operation's index, and nothing is added.
	r := s.post(addOps, map[string]any{"id": id, "ops": []any{
		map[string]any{"renameOrg": map[string]any{"id": w.school, "name": "Chi bộ Trường Tiểu học Tam Hồng"}},
		map[string]any{"transferOrg": map[string]any{"id": "onope", "parentId": w.commune2}},
	}})
	if outcome(r) != org.EInvalid || !strings.Contains(r.Errors[0].Message, "operations[1]") {
		t.Fatalf("an unknown id: %+v", r.Errors)
	}
	// So is an input with no operation, or with two.
	for i, op := range []map[string]any{
		{"note": "không có gì"},
		{"endResidence": map[string]any{"memberId": "m1"}, "confirmOfficial": map[string]any{"memberId": "m1"}},
	} {
		r := s.post(addOps, map[string]any{"id": id, "ops": []any{
			map[string]any{"renameOrg": map[string]any{"id": w.school, "name": "Chi bộ Trường"}}, op}})
		if outcome(r) != org.EInvalid || !strings.Contains(r.Errors[0].Message, "operations[1]") {
			t.Fatalf("input %d: %+v", i, r.Errors)
		}
	}

	// A cell under the province is accepted, with an R5 finding naming the
	// operation; a commune established by the scenario exists only in it.
	var added struct {
		AddScenarioOperations struct{ Operations []scenarioOp }
	}
	s.data(s.post(addOps, map[string]any{"id": id, "ops": []any{
		map[string]any{"establishOrg": map[string]any{"parentId": w.district, "name": "Đảng bộ xã Mới", "kind": "GRASSROOTS_COMMITTEE", "sector": "COMMUNE"}},
		map[string]any{"transferOrg": map[string]any{"id": w.village, "parentId": w.province}},
	}}), &added)
	ops := added.AddScenarioOperations.Operations
	if len(ops) != 2 || !ops[0].Applied || len(ops[0].Created) != 1 || !strings.HasPrefix(ops[0].Created[0], "o") ||
		ops[1].Key != 2 || !ops[1].Applied || ops[1].Error != nil {
		t.Fatalf("operations = %+v", ops)
	}
	newCommune := ops[0].Created[0]
	var sc struct {
		Scenario struct {
			Violations []struct {
				Rule, Severity, SubjectID string
				OperationKey              *int
			}
			Errors []struct{ Rule string }
		}
		Live, WhatIf *struct{ ID, Name string }
	}
	s.data(s.post(`query($id: ID!, $n: ID!) { scenario(id: $id) { violations { rule severity subjectId operationKey }
		errors: violations(minSeverity: ERROR) { rule } }
		live: org(id: $n) { id name } whatIf: org(id: $n, scenario: $id) { id name } }`,
		map[string]any{"id": id, "n": newCommune}), &sc)
	found := false
	for _, v := range sc.Scenario.Violations {
		if v.Rule == "R5" && v.Severity == "ERROR" && v.SubjectID == w.village && v.OperationKey != nil && *v.OperationKey == 2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no R5 finding of operation 2: %+v", sc.Scenario.Violations)
	}
	for _, v := range sc.Scenario.Errors {
		if v.Rule != "R5" && v.Rule != "R1" {
			t.Fatalf("minSeverity ERROR keeps %+v", sc.Scenario.Errors)
		}
	}
	if sc.Live != nil || sc.WhatIf == nil || sc.WhatIf.Name != "Đảng bộ xã Mới" {
		t.Fatalf("the new commune live %+v, in the scenario %+v", sc.Live, sc.WhatIf)
	}
	// The live violations carry no operation key.
	var live struct {
		Violations []struct{ OperationKey *int }
	}
	s.data(s.post(`query($p: ID!) { violations(within: $p) { operationKey } }`, map[string]any{"p": w.province}), &live)
	if len(live.Violations) == 0 || live.Violations[0].OperationKey != nil {
		t.Fatalf("live violations = %+v", live)
	}

	// The R5 error blocks applying.
	applyQ := `mutation($id: ID!, $p: ID!) { applyScenario(id: $id, decision: {number: "1-QĐ/TU", date: "2021-01-01", issuerId: $p}) { changes { seq } } }`
	if r := s.post(applyQ, map[string]any{"id": id, "p": w.province}); outcome(r) != org.ERule {
		t.Fatalf("applying a scenario with an ERROR: %+v", r.Errors)
	}

	// asOf and scenario together are refused, at the top and on a connection.
	for _, q := range []string{
		`query($id: ID!, $c: ID!) { org(id: $c, asOf: "2021-01-01", scenario: $id) { id } }`,
		`query($id: ID!, $c: ID!) { org(id: $c) { children(asOf: "2021-01-01", scenario: $id) { totalCount } } }`,
		`query($id: ID!, $c: ID!) { statistics(orgId: $c, asOf: "2021-01-01", scenario: $id) { cellCount } }`,
	} {
		if r := s.post(q, map[string]any{"id": id, "c": w.commune}); outcome(r) != org.EInvalid {
			t.Fatalf("%s: %+v", q, r.Errors)
		}
	}
	// An unknown scenario is not found, not a null organisation.
	if r := s.post(`query($c: ID!) { org(id: $c, scenario: "snope") { id } }`, map[string]any{"c": w.commune}); outcome(r) != org.ENotFound {
		t.Fatalf("an unknown scenario: %+v", r.Errors)
	}
	var missing struct{ Scenario *struct{ ID string } }
	s.data(s.post(`{ scenario(id: "snope") { id } }`, nil), &missing)
	if missing.Scenario != nil {
		t.Fatalf("scenario(unknown) = %+v", missing)
	}

	// Move, remove, rename.
	var moved struct {
		MoveScenarioOperation struct{ Operations []struct{ Key int } }
	}
	s.data(s.post(`mutation($id: ID!) { moveScenarioOperation(id: $id, key: 2, toIndex: 0) { operations { key } } }`,
		map[string]any{"id": id}), &moved)
	if k := moved.MoveScenarioOperation.Operations; len(k) != 2 || k[0].Key != 2 || k[1].Key != 1 {
		t.Fatalf("moved = %+v", k)
	}
	var removed struct {
		RemoveScenarioOperation struct{ Operations []struct{ Key int } }
		RenameScenario          struct{ Name string }
	}
	s.data(s.post(`mutation($id: ID!) { removeScenarioOperation(id: $id, key: 2) { operations { key } }
		renameScenario(id: $id, name: "Tỉnh 2026") { name } }`, map[string]any{"id": id}), &removed)
	if k := removed.RemoveScenarioOperation.Operations; len(k) != 1 || k[0].Key != 1 || removed.RenameScenario.Name != "Tỉnh 2026" {
		t.Fatalf("removed, renamed = %+v", removed)
	}

	// A discarded scenario cannot be applied, nor edited.
	var discarded struct {
		DiscardScenario struct {
			Status           string
			CanUndo, CanRedo bool
		}
	}
	s.data(s.post(`mutation($id: ID!) { discardScenario(id: $id) { status canUndo canRedo } }`, map[string]any{"id": id}), &discarded)
	if discarded.DiscardScenario.Status != "DISCARDED" || discarded.DiscardScenario.CanUndo {
		t.Fatalf("discarded = %+v", discarded)
	}
	if r := s.post(applyQ, map[string]any{"id": id, "p": w.province}); outcome(r) != org.EConflict {
		t.Fatalf("applying a discarded scenario: %+v", r.Errors)
	}
	if r := s.post(`mutation($id: ID!) { undoScenarioOperation(id: $id) { id } }`, map[string]any{"id": id}); outcome(r) != org.EConflict {
		t.Fatalf("editing a discarded scenario: %+v", r.Errors)
	}
}

// TestScenarioLimits: adding operations costs by the operation, and the CSV
// export reads a scenario too.
func TestScenarioLimits(t *testing.T) {
	small := newTestServer(t, Config{MaxComplexity: 100})
	ops := make([]any, 12)
	for i := range ops {
		ops[i] = map[string]any{"endResidence": map[string]any{"memberId": "m1"}}
	}
	r := small.post(`mutation($ops: [ScenarioOperationInput!]!) { addScenarioOperations(id: "s1", operations: $ops) { id } }`,
		map[string]any{"ops": ops})
	if outcome(r) != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("12 operations under a complexity of 100: %+v", r.Errors)
	}
	r = small.post(`mutation($ops: [ScenarioOperationInput!]!) { addScenarioOperations(id: "s1", operations: $ops) { id } }`,
		map[string]any{"ops": ops[:5]})
	if outcome(r) != org.ENotFound {
		t.Fatalf("5 operations: %+v", r.Errors)
	}

	w := newScenarioWorld(t)
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.s.post(`mutation($d: ID!) { createScenario(name: "Xuất", within: $d) { id } }`, map[string]any{"d": w.district}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.s.post(`mutation($id: ID!, $v: ID!, $to: ID!) { addScenarioOperations(id: $id, operations: [{dissolveOrg: {id: $v, membersTo: $to}}]) { id } }`,
		map[string]any{"id": id, "v": w.school, "to": w.village}), &struct{}{})
	resp := w.s.get("/export/orgchart.csv?bom=0&root=" + w.district + "&scenario=" + id)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(body), w.school) || !strings.Contains(string(body), w.village) ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "-"+id+".csv") {
		t.Fatalf("export in a scenario: %d %s", resp.StatusCode, body)
	}
	resp = w.s.get("/export/orgchart.csv?root=" + w.district + "&scenario=" + id + "&asOf=2021-01-01")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), org.EInvalid) {
		t.Fatalf("export with asOf and scenario: %d %s", resp.StatusCode, body)
	}
}

func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// TestScenarioAccess: scenarios are seen within the caller's scope, drafted by
// organisers, and their operations show personal data only to roles that read it.
func TestScenarioAccess(t *testing.T) {
	w := newAccessWorld(t)
	w.s.day.Store(int32(later)) // so that what began today may end
	admin := w.mint([]org.AccessRole{org.Admin})
	viewerC := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	viewerB := w.mint([]org.AccessRole{org.Viewer}, w.bloc)
	organiserC := w.mint([]org.AccessRole{org.Organiser}, w.commune)

	create := `mutation($c: ID!) { createScenario(name: "Thôn", within: $c) { id } }`
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(admin, create, map[string]any{"c": w.commune}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.ask(admin, `mutation($id: ID!, $v: ID!, $v2: ID!) { addScenarioOperations(id: $id, operations: [
		{dissolveOrg: {id: $v2, membersTo: $v}}]) { id } }`,
		map[string]any{"id": id, "v": w.village, "v2": w.village2}), &struct{}{})

	const read = `query($id: ID!, $c: ID!) { scenario(id: $id) { operations { type applied } }
		org(id: $c, scenario: $id) { children { totalCount } } }`
	for _, c := range []struct {
		name, token string
		seen        bool
	}{{"admin", admin, true}, {"viewer@commune", viewerC, true}, {"viewer@bloc", viewerB, false}} {
		r := w.ask(c.token, read, map[string]any{"id": id, "c": w.commune})
		if !c.seen {
			// Outside the scope the scenario is not found, and no read names it.
			if !strings.Contains(string(r.Data), `"scenario":null`) || outcome(r) != org.ENotFound {
				t.Errorf("%s: %s %+v", c.name, r.Data, r.Errors)
			}
			continue
		}
		var got struct {
			Scenario struct {
				Operations []struct {
					Type    string
					Applied bool
				}
			}
			Org struct{ Children struct{ TotalCount int } }
		}
		w.s.data(r, &got)
		if ops := got.Scenario.Operations; len(ops) != 1 || ops[0].Type != "DISSOLVE_ORG" || !ops[0].Applied ||
			got.Org.Children.TotalCount != 2 {
			t.Errorf("%s: %s", c.name, r.Data)
		}
	}
	// Only organisers draft, within their scope.
	if r := w.ask(viewerC, create, map[string]any{"c": w.commune}); outcome(r) != org.EForbidden {
		t.Fatalf("a viewer drafts: %+v", r.Errors)
	}
	if r := w.ask(organiserC, create, map[string]any{"c": w.district}); outcome(r) != org.ENotFound {
		t.Fatalf("an organiser drafts above their commune: %+v", r.Errors)
	}
	if r := w.ask(viewerC, `mutation($id: ID!) { discardScenario(id: $id) { id } }`, map[string]any{"id": id}); outcome(r) != org.EForbidden {
		t.Fatalf("a viewer discards: %+v", r.Errors)
	}
}

// TestScenarioDraftOwnership: the organiser who drafted a scenario and admins
// edit, apply and discard it; another organiser of the same scope reads it
// and is refused the rest, in Vietnamese.
func TestScenarioDraftOwnership(t *testing.T) {
	w := newAccessWorld(t)
	w.s.day.Store(int32(later)) // so that what began today may end
	owner := w.mintAs("to-chuc-1", []org.AccessRole{org.Organiser}, w.commune)
	colleague := w.mintAs("to-chuc-2", []org.AccessRole{org.Organiser}, w.commune)
	admin := w.mintAs("quan-tri", []org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(owner, `mutation($c: ID!) { createScenario(name: "Thôn", within: $c) { id } }`, map[string]any{"c": w.commune}), &created)
	vars := map[string]any{"id": created.CreateScenario.ID, "v": w.village, "v2": w.village2, "c": w.commune}
	const (
		read    = `query($id: ID!) { scenario(id: $id) { name operations { type } } }`
		add     = `mutation($id: ID!, $v: ID!, $v2: ID!) { addScenarioOperations(id: $id, operations: [{dissolveOrg: {id: $v2, membersTo: $v}}]) { id } }`
		rename  = `mutation($id: ID!) { renameScenario(id: $id, name: "Của tôi") { id } }`
		apply   = `mutation($id: ID!, $c: ID!) { applyScenario(id: $id, decision: {number: "9-QĐ", date: "2021-01-01", issuerId: $c}) { scenario { id } } }`
		discard = `mutation($id: ID!) { discardScenario(id: $id) { id } }`
	)
	w.s.data(w.ask(owner, add, vars), &struct{}{})
	w.s.data(w.ask(colleague, read, vars), &struct{}{})
	for _, q := range []string{add, rename, apply, discard} {
		r := w.ask(colleague, q, vars)
		if outcome(r) != org.EForbidden || !strings.Contains(r.Errors[0].Message, "Chỉ người tạo phương án") {
			t.Fatalf("a colleague: %s: %+v", q, r.Errors)
		}
	}
	w.s.data(w.ask(admin, rename, vars), &struct{}{})
	w.s.data(w.ask(owner, discard, vars), &struct{}{})
}

// TestScenarioWithAdmissionReadsBack: a scenario that admits a member is read
// back from the store like any other, the admission's personal data shown
// only to roles that read it.
func TestScenarioWithAdmissionReadsBack(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(admin, `mutation($c: ID!) { createScenario(name: "Kết nạp", within: $c) { id } }`, map[string]any{"c": w.commune}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.ask(admin, `mutation($id: ID!, $v: ID!) { addScenarioOperations(id: $id, operations: [
		{admitMember: {cellId: $v, fullName: "Trần Thị Bình", gender: FEMALE, phone: "0912 345 678"}}]) { id } }`,
		map[string]any{"id": id, "v": w.village}), &struct{}{})
	for _, c := range []struct {
		name, token string
		phone       bool
	}{{"admin", admin, true}, {"viewer@commune", w.mint([]org.AccessRole{org.Viewer}, w.commune), false}} {
		var got struct {
			Scenario struct {
				Operations []struct {
					Input   map[string]any
					Applied bool
					Created []string
				}
			}
			Org struct{ Members struct{ TotalCount int } }
		}
		w.s.data(w.ask(c.token, `query($id: ID!, $v: ID!) { scenario(id: $id) { operations { input applied created } }
			org(id: $v, scenario: $id) { members { totalCount } } }`, map[string]any{"id": id, "v": w.village}), &got)
		ops := got.Scenario.Operations
		if len(ops) != 1 || !ops[0].Applied || len(ops[0].Created) != 1 || got.Org.Members.TotalCount != 2 {
			t.Fatalf("%s: a scenario with an admission = %+v", c.name, got)
		}
		// The admission as stored, whatever its keys: the name always, the phone only for some.
		input := fmt.Sprint(ops[0].Input["admit"])
		if !strings.Contains(input, "Trần Thị Bình") || strings.Contains(input, "0912 345 678") != c.phone {
			t.Errorf("%s: the admission reads %v", c.name, ops[0].Input)
		}
	}
}

// TestScenarioBulkOperations: the bulk inputs reach their operations —
// transferWhere moves what its filter selects, mergeByMapping merges into a
// new commune, flattenLevel ends the district with the communes moving up.
func TestScenarioBulkOperations(t *testing.T) {
	w := newScenarioWorld(t)
	s := w.s
	var created struct{ CreateScenario struct{ ID string } }
	s.data(s.post(`mutation($p: ID!) { createScenario(name: "Cải cách", within: $p) { id } }`, map[string]any{"p": w.province}), &created)
	id := created.CreateScenario.ID
	var added struct {
		AddScenarioOperations struct{ Operations []scenarioOp }
	}
	s.data(s.post(`mutation($id: ID!, $c: ID!, $c2: ID!, $d: ID!, $p: ID!) { addScenarioOperations(id: $id, operations: [
		{transferWhere: {filter: {within: $c, kinds: [CELL], sectors: [SCHOOL], maxMembers: 5}, targetId: $c2}},
		{mergeByMapping: {mappings: [{sourceIds: [$c, $c2], newTarget: {parentId: $d, name: "Đảng bộ xã Hợp Nhất", kind: GRASSROOTS_COMMITTEE, sector: COMMUNE}}]}},
		{flattenLevel: {kind: DISTRICT, within: $p}}]) { operations { type applied error changeCount created } } }`,
		map[string]any{"id": id, "c": w.commune, "c2": w.commune2, "d": w.district, "p": w.province}), &added)
	ops := added.AddScenarioOperations.Operations
	if len(ops) != 3 || ops[0].ChangeCount != 1 || ops[1].ChangeCount != 1 || len(ops[1].Created) != 1 || ops[2].ChangeCount != 2 {
		t.Fatalf("operations = %+v", ops)
	}
	var read struct {
		Org struct {
			Children struct {
				Nodes []struct {
					ID, Kind    string
					MemberCount int
					Children    struct{ TotalCount int }
				}
			}
		}
	}
	s.data(s.post(`query($sc: ID!, $p: ID!) { org(id: $p, scenario: $sc) { children { nodes { id kind memberCount children { totalCount } } } } }`,
		map[string]any{"sc": id, "p": w.province}), &read)
	kids := read.Org.Children.Nodes
	if len(kids) != 1 || kids[0].ID != ops[1].Created[0] || kids[0].Kind != "GRASSROOTS_COMMITTEE" || kids[0].MemberCount != 7 ||
		kids[0].Children.TotalCount != 3 {
		t.Fatalf("the province's children in the scenario: %+v", kids)
	}
}

// TestMemberFindings: a finding about a member names them in `member`, its
// `subject` (an organisation) null.
func TestMemberFindings(t *testing.T) {
	w := newScenarioWorld(t)
	ctx := org.WithPrincipal(context.Background(), auth.DevPrincipal())
	m, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: w.village2, FullName: "Đảng Viên Dự Bị",
		Status: org.Probationary, AdmittedOn: org.DateFrom(2019, 6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Violations []struct {
			Rule, SubjectID string
			Subject         *struct{ ID string }
			Member          *struct{ ID, FullName string }
		}
	}
	w.s.data(w.s.post(`query($d: ID!) { violations(within: $d, minSeverity: INFO) { rule subjectId subject { id } member { id fullName } } }`,
		map[string]any{"d": w.district}), &got)
	var found bool
	for _, v := range got.Violations {
		if v.Rule != "R7" {
			if v.Member != nil {
				t.Fatalf("%s finding names a member: %+v", v.Rule, v)
			}
			continue
		}
		found = true
		if v.SubjectID != m.ID || v.Subject != nil || v.Member == nil || v.Member.FullName != "Đảng Viên Dự Bị" {
			t.Fatalf("R7 finding %+v", v)
		}
	}
	if !found {
		t.Fatalf("no R7 finding: %+v", got.Violations)
	}
}
