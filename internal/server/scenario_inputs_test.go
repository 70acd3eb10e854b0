package server

import (
	"fmt"
	"strings"
	"testing"

	"dangbo/internal/org"
)

// TestBulkOperationBounds: a bulk operation's bounds on members are counts,
// not negative, and a range that selects nothing is refused: BAD_USER_INPUT
// naming the argument, in Vietnamese, and nothing is added.
func TestBulkOperationBounds(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(admin, `mutation($d: ID!) { createScenario(name: "Giới hạn", within: $d) { id } }`, map[string]any{"d": w.district}), &created)
	id := created.CreateScenario.ID
	for _, tc := range []struct{ op, names string }{
		{`{flattenLevel: {kind: GRASSROOTS_COMMITTEE, within: $d, maxMembers: -5}}`, "maxMembers"},
		{`{flattenLevel: {kind: GRASSROOTS_COMMITTEE, within: $d, minMembers: -1}}`, "minMembers"},
		{`{flattenLevel: {kind: GRASSROOTS_COMMITTEE, within: $d, minMembers: 10, maxMembers: 3}}`, "minMembers (10) lớn hơn maxMembers (3)"},
		{`{transferWhere: {filter: {within: $d, maxMembers: -5}, targetId: $d}}`, "filter.maxMembers"},
		{`{transferWhere: {filter: {within: $d, minMembers: -2}, targetId: $d}}`, "filter.minMembers"},
		{`{transferWhere: {filter: {within: $d, minMembers: 4, maxMembers: 0}, targetId: $d}}`, "filter.minMembers (4) lớn hơn filter.maxMembers (0)"},
	} {
		op := tc.op
		r := w.ask(admin, `mutation($id: ID!, $d: ID!) { addScenarioOperations(id: $id, operations: [`+op+`]) { operations { key } } }`,
			map[string]any{"id": id, "d": w.district})
		if outcome(r) != org.EInvalid || !strings.Contains(r.Errors[0].Message, tc.names) || !strings.Contains(r.Errors[0].Message, "operations[0]") ||
			!isVietnamese(r.Errors[0].Message) {
			t.Errorf("%s: %v, want BAD_USER_INPUT naming %s", op, r.Errors, tc.names)
		}
	}
	var sc struct {
		Scenario struct{ Operations []struct{ Key int } }
	}
	w.s.data(w.ask(admin, `query($id: ID!) { scenario(id: $id) { operations { key } } }`, map[string]any{"id": id}), &sc)
	if len(sc.Scenario.Operations) != 0 {
		t.Fatalf("refused operations were added: %+v", sc.Scenario.Operations)
	}
}

// TestOperationOutsideTheScenario: an operation naming an organisation
// outside the scenario's subtree says so to a caller who sees that
// organisation, and to one who does not, only that nothing of that id was
// found, as for an id that names nothing.
func TestOperationOutsideTheScenario(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	organiser := w.mint([]org.AccessRole{org.Organiser}, w.commune)
	const create = `mutation($c: ID!) { createScenario(name: "Xã", within: $c) { id } }`
	const add = `mutation($id: ID!, $v: ID!, $p: ID!) { addScenarioOperations(id: $id, operations: [
		{renameOrg: {id: $v, name: "Chi bộ thôn Đông Mới"}}, {transferOrg: {id: $v, parentId: $p}}]) { id } }`
	for _, tc := range []struct {
		name, token, parent, says, not string
	}{
		{"admin, the district", admin, w.district, "nằm ngoài phạm vi của phương án", "không tìm thấy"},
		{"admin, the bloc", admin, w.bloc, "nằm ngoài phạm vi của phương án", "không tìm thấy"},
		{"admin, no such id", admin, "onope", "không tìm thấy", "phạm vi"},
		{"organiser of the commune, the bloc", organiser, w.bloc, "không tìm thấy", "phạm vi"},
	} {
		var created struct{ CreateScenario struct{ ID string } }
		w.s.data(w.ask(tc.token, create, map[string]any{"c": w.commune}), &created)
		r := w.ask(tc.token, add, map[string]any{"id": created.CreateScenario.ID, "v": w.village, "p": tc.parent})
		if outcome(r) != org.EInvalid {
			t.Errorf("%s: %v, want BAD_USER_INPUT", tc.name, r.Errors)
			continue
		}
		msg := r.Errors[0].Message
		if !strings.Contains(msg, "operations[1]") || !strings.Contains(msg, tc.says) || strings.Contains(msg, tc.not) || !isVietnamese(msg) {
			t.Errorf("%s: %q, want it to say %q", tc.name, msg, tc.says)
		}
		if tc.token == organiser && strings.Contains(msg, "Khối") {
			t.Errorf("%s: %q names the bloc", tc.name, msg)
		}
	}
}

// TestScenarioFindingsBlockApplying: every finding an operation causes
// carries its key, a member's R6 as an organisation's R5 (a village cell
// made a grassroots committee leaves a resident linked to it), and applying
// is refused counting exactly the ERROR findings the scenario shows.
func TestScenarioFindingsBlockApplying(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(admin, `mutation($p: ID!) { createScenario(name: "Thôn thành đảng bộ", within: $p, baseAsOf: "2021-06-01") { id } }`,
		map[string]any{"p": w.province}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.ask(admin, `mutation($id: ID!, $v: ID!) { addScenarioOperations(id: $id, operations: [
		{changeOrgKind: {id: $v, kind: GRASSROOTS_COMMITTEE}}]) { id } }`, map[string]any{"id": id, "v": w.village}), &struct{}{})
	var sc struct {
		Scenario struct {
			Violations []struct {
				Rule, SubjectID string
				Member          *struct{ ID string }
				OperationKey    *int
			}
		}
	}
	w.s.data(w.ask(admin, `query($id: ID!) { scenario(id: $id) { violations(minSeverity: ERROR) { rule subjectId member { id } operationKey } } }`,
		map[string]any{"id": id}), &sc)
	found := sc.Scenario.Violations
	resident := false
	for _, v := range found {
		if v.OperationKey == nil || *v.OperationKey != 1 {
			t.Errorf("a finding of the operation without its key: %+v", v)
		}
		if v.Rule == "R6" && v.SubjectID == w.official && v.Member != nil && v.Member.ID == w.official {
			resident = true
		}
	}
	if !resident {
		t.Fatalf("no R6 finding about the resident: %+v", found)
	}
	r := w.ask(admin, `mutation($id: ID!, $p: ID!) { applyScenario(id: $id, decision: {number: "1-QĐ/TU", date: "2021-06-01", issuerId: $p}) { changes { seq } } }`,
		map[string]any{"id": id, "p": w.province})
	if want := fmt.Sprintf("phương án còn %d vi phạm mức ERROR", len(found)); outcome(r) != org.ERule || !strings.HasPrefix(r.Errors[0].Message, want) {
		t.Fatalf("applying a scenario showing %d ERROR findings: %v", len(found), r.Errors)
	}
}
