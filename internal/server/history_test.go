package server

import (
	"strings"
	"testing"

	"dangbo/internal/org"
)

// TestOperationsAndHistory: operations through the API, their history and
// its summary, and what a viewer may read of the records they touched.
func TestOperationsAndHistory(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	decision := func(number, issuer string) map[string]any {
		return map[string]any{"number": number, "date": "2021-01-01", "issuerId": issuer}
	}
	var est struct {
		EstablishOrg struct {
			Seq      int
			Type     string
			Subjects []struct {
				ID, Name string
			}
			Decision struct{ Issuer struct{ Name string } }
		}
	}
	w.s.token = admin
	w.s.data(w.s.post(`mutation($p: ID!, $d: DecisionInput!) {
		establishOrg(input: {parentId: $p, name: "Chi bộ thôn Bắc", kind: CELL, sector: VILLAGE}, decision: $d, effectiveOn: "2021-03-01") {
			seq type subjects { ... on Org { id name } } decision { issuer { name } } } }`,
		map[string]any{"p": w.commune, "d": decision("5-QĐ/ĐU", w.commune)}), &est)
	e := est.EstablishOrg
	if e.Type != "ESTABLISHED" || e.Seq == 0 || len(e.Subjects) != 2 || e.Subjects[0].Name != "Chi bộ thôn Bắc" ||
		e.Decision.Issuer.Name != "Đảng bộ xã Tam Hồng" {
		t.Fatalf("establishOrg = %+v", e)
	}
	// A connection answers as of its own asOf: the planned cell shows from March.
	var kids struct {
		Org struct{ Now, March struct{ TotalCount int } }
	}
	w.s.data(w.s.post(`query($c: ID!) { org(id: $c) { now: children { totalCount } march: children(asOf: "2021-03-01") { totalCount } } }`,
		map[string]any{"c": w.commune}), &kids)
	if kids.Org.March.TotalCount != kids.Org.Now.TotalCount+1 {
		t.Fatalf("children now and in March = %+v", kids)
	}
	// A number names one document: cited with another signing date it is refused.
	other := decision("5-QĐ/ĐU", w.commune)
	other["date"] = "2020-12-31"
	r := w.ask(admin, `mutation($p: ID!, $d: DecisionInput!) {
		establishOrg(input: {parentId: $p, name: "Chi bộ thôn Nam", kind: CELL, sector: VILLAGE}, decision: $d) { seq } }`,
		map[string]any{"p": w.commune, "d": other})
	if len(r.Errors) == 0 || r.codes()[0] != org.EConflict {
		t.Fatalf("a decision number reused with another date: %+v", r.Errors)
	}
	r = w.ask(admin, `mutation($p: ID!, $d: DecisionInput!) {
		establishOrg(input: {parentId: $p, name: "Chi bộ thôn Nam", kind: CELL, sector: VILLAGE}, decision: $d) { seq } }`,
		map[string]any{"p": w.commune, "d": decision("6-QĐ/ĐU", w.district)})
	if r.codes()[0] != org.ERule || r.Errors[0].Extensions["rule"] != "R9" {
		t.Fatalf("a decision by the wrong committee: %+v", r.Errors)
	}
	var moved struct{ TransferMember struct{ Type string } }
	w.s.data(w.s.post(`mutation($m: ID!, $c: ID!, $d: DecisionInput!) {
		transferMember(memberId: $m, cellId: $c, decision: $d, effectiveOn: "2021-02-01") { type } }`,
		map[string]any{"m": w.villager, "c": w.village2, "d": decision("7-QĐ/ĐU", w.commune)}), &moved)

	var hist struct {
		Changes struct {
			TotalCount int
			Nodes      []struct {
				Type, EffectiveOn string
				Before, After     []map[string]any
			}
			PageInfo struct{ HasNextPage bool }
		}
		ChangeSummary struct {
			Total, Established int
			Counts             []struct {
				Type  string
				Count int
			}
		}
	}
	const histQuery = `query($c: ID!) {
		changes(within: $c) { totalCount nodes { type effectiveOn before after } pageInfo { hasNextPage } }
		changeSummary(within: $c, since: "2021-01-01") { total established counts { type count } } }`
	w.s.data(w.s.post(histQuery, map[string]any{"c": w.commune}), &hist)
	// The world began with a residence link, recorded today.
	if n := hist.Changes.Nodes; len(n) != 3 || n[0].Type != "RESIDENCE_SET" || n[1].Type != "MEMBER_TRANSFERRED" ||
		n[1].EffectiveOn != "2021-02-01" || n[2].Type != "ESTABLISHED" || len(n[2].Before) != 0 || len(n[2].After) != 1 {
		t.Fatalf("changes = %+v", hist.Changes)
	}
	if hist.Changes.TotalCount != 3 {
		t.Fatalf("changes totalCount = %d", hist.Changes.TotalCount)
	}
	if s := hist.ChangeSummary; s.Total != 3 || s.Established != 1 || len(s.Counts) != 3 {
		t.Fatalf("changeSummary = %+v", s)
	}
	personal := func(recs []map[string]any) bool {
		m, _ := recs[0]["member"].(map[string]any)
		p, _ := m["personal"].(map[string]any)
		return p["phone"] != nil
	}
	if !personal(hist.Changes.Nodes[1].Before) {
		t.Fatalf("an admin does not see the member's record: %+v", hist.Changes.Nodes[1].Before)
	}
	// A viewer of the commune reads the history without personal data.
	w.s.data(w.ask(w.mint([]org.AccessRole{org.Viewer}, w.commune), histQuery, map[string]any{"c": w.commune}), &hist)
	if len(hist.Changes.Nodes) != 3 || personal(hist.Changes.Nodes[1].Before) || personal(hist.Changes.Nodes[1].After) {
		t.Fatalf("a viewer's history = %+v", hist.Changes.Nodes)
	}
	// Outside the caller's scope the history is not found.
	r = w.ask(w.mint([]org.AccessRole{org.Viewer}, w.bloc), histQuery, map[string]any{"c": w.commune})
	if len(r.Errors) == 0 || r.codes()[0] != org.ENotFound || !strings.Contains(r.Errors[0].Message, w.commune) {
		t.Fatalf("history outside the scope: %+v", r.Errors)
	}
}

// TestHistoryOfAnUnknownOrganisation: an admin may read the history of any
// organisation, one that has ended too, but naming one that never existed is
// NOT_FOUND, as for the live stream, not an empty history.
func TestHistoryOfAnUnknownOrganisation(t *testing.T) {
	w := newAccessWorld(t)
	w.s.token = w.mint([]org.AccessRole{org.Admin})
	for _, q := range []string{
		`{ changes(within: "onope") { totalCount } }`,
		`{ changeSummary(within: "onope", since: "2020-01-01") { total } }`,
	} {
		if r := w.s.post(q, nil); len(r.Errors) == 0 || r.codes()[0] != org.ENotFound {
			t.Errorf("%s: %s %+v, want NOT_FOUND", q, r.Data, r.Errors)
		}
	}
	if r := w.s.post(`query($id: ID!) { changes(within: $id) { totalCount } }`, map[string]any{"id": w.commune}); len(r.Errors) > 0 {
		t.Errorf("the commune's history: %+v", r.Errors)
	}
}
