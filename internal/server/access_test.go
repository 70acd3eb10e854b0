package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// accessWorld is a commune and a provincial bloc with members, and a way to
// mint tokens for any roles and scope.
type accessWorld struct {
	s                                            *testServer
	province, district, commune, village, school string
	bloc, agency, agencyCell, village2           string
	villager, official                           string
	mint                                         func(roles []org.AccessRole, scope ...string) string
	// mintAs is mint for another subject than mint's "t".
	mintAs func(subject string, roles []org.AccessRole, scope ...string) string
}

func newAccessWorld(t *testing.T) *accessWorld { return newAccessWorldWith(t, Config{}) }

// newAccessWorldWith is newAccessWorld served with cfg, its Auth aside.
func newAccessWorldWith(t *testing.T, cfg Config) *accessWorld {
	a, err := auth.New(t.Context(), auth.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth = a
	w := &accessWorld{s: newTestServer(t, cfg)}
	w.province, w.district, w.commune, w.village, w.school = w.s.commune()
	ctx := org.WithPrincipal(context.Background(), org.System)
	mk := func(parent, name string, kind org.Kind, sector org.Sector) string {
		o, err := w.s.svc.CreateOrg(ctx, org.NewOrg{ParentID: parent, Name: name, Kind: kind, Sector: sector})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	w.bloc = mk(w.province, "Đảng bộ Khối các cơ quan tỉnh", org.District, org.SectorBloc)
	w.agency = mk(w.bloc, "Đảng bộ Sở Tài chính", org.GrassrootsCommittee, org.SectorAgency)
	w.agencyCell = mk(w.agency, "Chi bộ Phòng Ngân sách", org.Cell, org.SectorAgency)
	w.village2 = mk(w.commune, "Chi bộ thôn Tây", org.Cell, org.SectorVillage)
	member := func(cell, name string) string {
		m, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: name, Status: org.Official,
			AdmittedOn: org.DateFrom(2010, 1, 1), Personal: org.Personal{BirthDate: new(org.DateFrom(1980, 2, 3)),
				Ethnicity: "Kinh", Phone: "0912 000 111", Address: "Thôn Đông, xã Tam Hồng"}})
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	w.villager, w.official = member(w.village, "Nguyễn Văn An"), member(w.agencyCell, "Lê Văn Cường")
	if _, err := w.s.svc.SetResidence(ctx, w.official, w.village, decidedBy(w.agency, "1-QĐ/ĐU")); err != nil {
		t.Fatal(err)
	}
	w.mintAs = func(subject string, roles []org.AccessRole, scope ...string) string {
		token, err := a.Mint(&org.Principal{Subject: subject, Roles: roles, Scope: scope}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	w.mint = func(roles []org.AccessRole, scope ...string) string { return w.mintAs("t", roles, scope...) }
	return w
}

// ask posts a query with variables as the holder of token.
func (w *accessWorld) ask(token, query string, vars map[string]any) *gqlResponse {
	w.s.t.Helper()
	w.s.token = token
	return w.s.post(query, vars)
}

// outcome is "ok" for an answer without errors, else the first error's code.
func outcome(r *gqlResponse) string {
	if len(r.Errors) == 0 {
		return "ok"
	}
	return r.codes()[0]
}

// TestAccessEveryOperation runs every query and mutation as every kind of
// caller and checks what each may do.
func TestAccessEveryOperation(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	viewerC := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	officerC := w.mint([]org.AccessRole{org.Officer}, w.commune)
	organiserC := w.mint([]org.AccessRole{org.Organiser}, w.commune)
	viewerB := w.mint([]org.AccessRole{org.Viewer}, w.bloc)
	officerD := w.mint([]org.AccessRole{org.Officer}, w.district)

	type op struct {
		name  string
		query string
		vars  map[string]any
	}
	n := 0
	fresh := func() string { n++; return fmt.Sprintf("Chi bộ thôn Mới %d", n) }
	ops := []op{
		{"roots", `{ roots { id } }`, nil},
		{"org in the commune", `query($id: ID!) { org(id: $id) { id statistics { memberCount } } }`, map[string]any{"id": w.village}},
		{"statistics of the commune", `query($id: ID!) { statistics(orgId: $id) { memberCount } }`, map[string]any{"id": w.commune}},
		{"children of the commune", `query($id: ID!) { org(id: $id) { children { totalCount } } }`, map[string]any{"id": w.commune}},
		{"members of the village", `query($id: ID!) { org(id: $id) { members { totalCount } } }`, map[string]any{"id": w.village}},
		{"residents of the village", `query($id: ID!) { org(id: $id) { residents { totalCount } } }`, map[string]any{"id": w.village}},
		{"villager", `query($id: ID!) { member(id: $id) { fullName cell { id } } }`, map[string]any{"id": w.villager}},
		{"villager's birth date", `query($id: ID!) { member(id: $id) { birthDate ethnicity phone address } }`, map[string]any{"id": w.villager}},
		{"node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.school}},
		{"search", `{ search(text: "nguyen van an") { edges { score } } }`, nil},
		{"chart of the commune", `query($id: ID!) { orgChart(rootId: $id) { nodes { id } links { memberCount } } }`, map[string]any{"id": w.commune}},
		{"violations in the commune", `query($id: ID!) { violations(within: $id) { rule } }`, map[string]any{"id": w.commune}},
		{"chart of the province", `query($id: ID!) { orgChart(rootId: $id, depth: 1) { columns { ids } } }`, map[string]any{"id": w.province}},
		{"rules", `{ rules { id } }`, nil},
		{"audit log", `{ auditLog(first: 5) { nodes { action } } }`, nil},
		{"create a cell in the commune", `mutation($p: ID!, $n: String!) { createOrg(input: {parentId: $p, name: $n, kind: CELL, sector: VILLAGE}) { id } }`,
			map[string]any{"p": w.commune, "n": fresh()}},
		{"record a member in the village", `mutation($c: ID!) { createMember(input: {cellId: $c, fullName: "Mới Vào", gender: MALE, status: PROBATIONARY}) { id } }`,
			map[string]any{"c": w.village}},
		{"link the official to the village", `mutation($m: ID!, $c: ID!, $i: ID!, $n: String!) {
			setResidence(memberId: $m, cellId: $c, decision: {number: $n, date: "2021-01-01", issuerId: $i}) { seq } }`,
			map[string]any{"m": w.official, "c": w.village2, "i": w.agency, "n": fresh()}},
		{"create a province", `mutation($n: String!) { createOrg(input: {name: $n, kind: PROVINCE}) { id } }`, map[string]any{"n": fresh()}},
	}
	// want[op][caller]: "ok" or the code of the first error.
	callers := []struct{ name, token string }{
		{"admin", admin}, {"viewer@commune", viewerC}, {"officer@commune", officerC},
		{"organiser@commune", organiserC}, {"viewer@bloc", viewerB}, {"officer@district", officerD},
	}
	NF, FB := org.ENotFound, org.EForbidden
	want := map[string][]string{
		"roots":                            {"ok", "ok", "ok", "ok", "ok", "ok"},
		"org in the commune":               {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"statistics of the commune":        {"ok", "ok", "ok", "ok", NF, "ok"},
		"children of the commune":          {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"members of the village":           {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"residents of the village":         {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"villager":                         {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"villager's birth date":            {"ok", FB, "ok", FB, "ok*", "ok"},
		"node":                             {"ok", "ok", "ok", "ok", "ok*", "ok"},
		"search":                           {"ok", "ok", "ok", "ok", "ok", "ok"},
		"chart of the commune":             {"ok", "ok", "ok", "ok", NF, "ok"},
		"chart of the province":            {"ok", NF, NF, NF, NF, NF},
		"violations in the commune":        {"ok", "ok", "ok", "ok", NF, "ok"},
		"rules":                            {"ok", "ok", "ok", "ok", "ok", "ok"},
		"audit log":                        {"ok", FB, FB, FB, FB, FB},
		"create a cell in the commune":     {"ok", FB, FB, "ok", FB, FB},
		"record a member in the village":   {"ok", FB, "ok", FB, FB, "ok"},
		"link the official to the village": {"ok", FB, NF, FB, FB, NF},
		"create a province":                {"ok", FB, FB, FB, FB, FB},
	}
	for _, o := range ops {
		for i, c := range callers {
			r := w.ask(c.token, o.query, o.vars)
			got, expect := outcome(r), want[o.name][i]
			if expect == "ok*" {
				// A query by id of something outside the scope answers null, as
				// for an id that does not exist.
				expect = "ok"
				if !strings.Contains(string(r.Data), "null") {
					t.Errorf("%s as %s: %s, want null", o.name, c.name, r.Data)
				}
			}
			if got != expect {
				t.Errorf("%s as %s: %s (%+v), want %s", o.name, c.name, got, r.Errors, expect)
			}
		}
	}
}

// TestOutOfScopeAnswersAsMissing: for every query that takes an id, the whole
// answer for an id outside the caller's scope is the answer for an id that
// does not exist.
func TestOutOfScopeAnswersAsMissing(t *testing.T) {
	w := newAccessWorld(t)
	viewer := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	queries := []string{
		`query($id: ID!) { org(id: $id) { id name } }`,
		`query($id: ID!) { member(id: $id) { id fullName } }`,
		`query($id: ID!) { node(id: $id) { id } }`,
		`query($id: ID!) { statistics(orgId: $id) { memberCount cellCount } }`,
		`query($id: ID!) { search(text: "chi bo", within: $id) { totalCount edges { score } } }`,
		`query($id: ID!) { search(text: "van", within: $id, types: [MEMBER]) { totalCount edges { score } } }`,
	}
	for _, q := range queries {
		for _, outside := range []string{w.agencyCell, w.bloc, w.district, w.province, w.official} {
			missing := outside[:1] + strings.Repeat("0", len(outside)-1)
			got := strings.ReplaceAll(string(mustJSON(w.ask(viewer, q, map[string]any{"id": outside}))), outside, "ID")
			wantJSON := strings.ReplaceAll(string(mustJSON(w.ask(viewer, q, map[string]any{"id": missing}))), missing, "ID")
			if got != wantJSON {
				t.Errorf("%s\noutside the scope: %s\nmissing:           %s", q, got, wantJSON)
			}
		}
	}
	// Nothing outside shows through lists, counts, search or paths.
	r := w.ask(viewer, `{ roots { id statistics { memberCount districtCount } } search(text: "le van cuong") { totalCount edges { score } } }`, nil)
	var got struct {
		Roots []struct {
			ID         string
			Statistics struct{ MemberCount, DistrictCount int }
		}
		Search struct {
			TotalCount int
			Edges      []struct{ Score float64 }
		}
	}
	w.s.data(r, &got)
	if len(got.Roots) != 1 || got.Roots[0].ID != w.commune || got.Roots[0].Statistics.MemberCount != 1 || len(got.Search.Edges) != 0 || got.Search.TotalCount != 0 {
		t.Fatalf("the commune viewer sees %+v", got)
	}
	r = w.ask(viewer, `query($id: ID!) { member(id: $id) { cell { ancestors { id } parent { id } } residenceCell { id } } }`,
		map[string]any{"id": w.villager})
	var m struct {
		Member struct {
			Cell struct {
				Ancestors []struct{ ID string }
				Parent    struct{ ID string }
			}
		}
	}
	w.s.data(r, &m)
	if len(m.Member.Cell.Ancestors) != 1 || m.Member.Cell.Ancestors[0].ID != w.commune {
		t.Fatalf("ancestors above the scope leak: %+v", m)
	}
	// The bloc's officer sees its member, but not the village they live in.
	blocOfficer := w.mint([]org.AccessRole{org.Officer}, w.bloc)
	r = w.ask(blocOfficer, `query($id: ID!) { member(id: $id) { fullName residenceCell { id } phone } }`, map[string]any{"id": w.official})
	if strings.Contains(string(r.Data), w.village) || len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"residenceCell":null`) {
		t.Fatalf("residence across the scope: %s %+v", r.Data, r.Errors)
	}
}

// TestPersonalFieldsMasked: a viewer gets null and a FORBIDDEN entry for each
// personal field, and everything else of the answer.
func TestPersonalFieldsMasked(t *testing.T) {
	w := newAccessWorld(t)
	for _, c := range []struct {
		roles  []org.AccessRole
		masked bool
	}{{[]org.AccessRole{org.Viewer}, true}, {[]org.AccessRole{org.Organiser}, true}, {[]org.AccessRole{org.Officer}, false}} {
		r := w.ask(w.mint(c.roles, w.commune), `query($id: ID!) { member(id: $id) { fullName birthDate ethnicity phone email address } }`,
			map[string]any{"id": w.villager})
		var got struct {
			Member struct {
				FullName                             string
				BirthDate, Ethnicity, Phone, Address *string
			}
		}
		_ = json.Unmarshal(r.Data, &got)
		if got.Member.FullName != "Nguyễn Văn An" {
			t.Fatalf("%v: the member's name is missing: %s", c.roles, r.Data)
		}
		if c.masked {
			if got.Member.BirthDate != nil || got.Member.Phone != nil || len(r.Errors) != 5 || r.codes()[0] != org.EForbidden {
				t.Fatalf("%v: personal data not masked: %s %+v", c.roles, r.Data, r.Errors)
			}
		} else if len(r.Errors) != 0 || got.Member.BirthDate == nil || *got.Member.BirthDate != "1980-02-03" || *got.Member.Ethnicity != "Kinh" {
			t.Fatalf("%v: personal data hidden from an officer: %s %+v", c.roles, r.Data, r.Errors)
		}
	}
}

// TestAuditRecordsWhoWhatWhere: a mutation through the API is in the audit log
// with its caller, address and outcome.
func TestAuditRecordsWhoWhatWhere(t *testing.T) {
	w := newAccessWorld(t)
	organiser := w.mint([]org.AccessRole{org.Organiser}, w.commune)
	w.ask(organiser, `mutation($p: ID!) { createOrg(input: {parentId: $p, name: "Chi bộ thôn Bắc", kind: CELL, sector: VILLAGE}) { id } }`,
		map[string]any{"p": w.commune})
	w.ask(organiser, `mutation($p: ID!) { createOrg(input: {parentId: $p, name: "Chi bộ", kind: CELL}) { id } }`,
		map[string]any{"p": w.agency})
	r := w.ask(w.mint([]org.AccessRole{org.Admin}), `{ auditLog(first: 2) { nodes { action subject roles address target outcome at } pageInfo { hasNextPage } } }`, nil)
	var got struct {
		AuditLog struct {
			Nodes []struct {
				Action, Subject, At string
				Roles               []string
				Address, Target     *string
				Outcome             *string
			}
			PageInfo struct{ HasNextPage bool }
		}
	}
	w.s.data(r, &got)
	nodes := got.AuditLog.Nodes
	if len(nodes) != 2 || !got.AuditLog.PageInfo.HasNextPage {
		t.Fatalf("audit log %s", r.Data)
	}
	refused, done := nodes[0], nodes[1]
	if refused.Outcome == nil || *refused.Outcome != org.ENotFound || !strings.Contains(*refused.Target, w.agency) ||
		done.Outcome != nil || done.Action != "createOrg" || done.Subject != "t" || done.Roles[0] != "organiser" ||
		done.Address == nil || !strings.HasPrefix(*done.Address, "127.0.0.1") || done.At == "" {
		t.Fatalf("audit entries %s", r.Data)
	}

	// The Relay edges hold the same entries, and a cursor reads on from its entry.
	r = w.ask(w.mint([]org.AccessRole{org.Admin}), `{ auditLog(first: 2) { edges { cursor node { seq } } nodes { seq } pageInfo { endCursor } } }`, nil)
	var page struct {
		AuditLog struct {
			Edges []struct {
				Cursor string
				Node   struct{ Seq int }
			}
			Nodes    []struct{ Seq int }
			PageInfo struct{ EndCursor string }
		}
	}
	w.s.data(r, &page)
	edges := page.AuditLog.Edges
	if len(edges) != 2 || len(page.AuditLog.Nodes) != 2 || edges[0].Node.Seq != page.AuditLog.Nodes[0].Seq ||
		edges[1].Node.Seq != page.AuditLog.Nodes[1].Seq || edges[1].Cursor != page.AuditLog.PageInfo.EndCursor {
		t.Fatalf("audit edges %s", r.Data)
	}
	r = w.ask(w.mint([]org.AccessRole{org.Admin}), `query($after: String) { auditLog(first: 1, after: $after) { nodes { seq } } }`,
		map[string]any{"after": edges[0].Cursor})
	var next struct {
		AuditLog struct{ Nodes []struct{ Seq int } }
	}
	w.s.data(r, &next)
	if len(next.AuditLog.Nodes) != 1 || next.AuditLog.Nodes[0].Seq != edges[1].Node.Seq {
		t.Fatalf("after the first edge's cursor %s, want seq %d", r.Data, edges[1].Node.Seq)
	}

	// totalCount, on every page, is how many entries paging to the end reads.
	var seen, total []int
	for after := any(nil); ; {
		r = w.ask(w.mint([]org.AccessRole{org.Admin}), `query($after: String) { auditLog(first: 3, after: $after) {
			totalCount nodes { seq } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after})
		var p struct {
			AuditLog struct {
				TotalCount int
				Nodes      []struct{ Seq int }
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		w.s.data(r, &p)
		total = append(total, p.AuditLog.TotalCount)
		for _, n := range p.AuditLog.Nodes {
			seen = append(seen, n.Seq)
		}
		if !p.AuditLog.PageInfo.HasNextPage {
			break
		}
		after = p.AuditLog.PageInfo.EndCursor
	}
	for _, n := range total {
		if n != len(seen) {
			t.Fatalf("totalCount %v on the pages, %d entries read by paging", total, len(seen))
		}
	}
}

// TestAuditBoundsWhatItRecords: a refused mutation naming a 900 KB id leaves
// an entry of a few hundred bytes that still identifies the id.
func TestAuditBoundsWhatItRecords(t *testing.T) {
	w := newAccessWorld(t)
	huge := strings.Repeat("ồ", 300_000) // 900 KB
	r := w.ask(w.mint([]org.AccessRole{org.Organiser}, w.commune),
		`mutation($p: ID!) { createOrg(input: {parentId: $p, name: "Chi bộ", kind: CELL}) { id } }`, map[string]any{"p": huge})
	if outcome(r) != org.ENotFound {
		t.Fatalf("refused with %+v", r.Errors)
	}
	r = w.ask(w.mint([]org.AccessRole{org.Admin}), `{ auditLog(first: 1) { nodes { action target outcome } } }`, nil)
	var got struct {
		AuditLog struct {
			Nodes []struct{ Action, Target, Outcome string }
		}
	}
	w.s.data(r, &got)
	e := got.AuditLog.Nodes[0]
	sum := sha256.Sum256([]byte(huge))
	if e.Action != "createOrg" || len(r.Data) > 2048 || !utf8.ValidString(e.Target) ||
		!strings.Contains(e.Target, " ồồ") || !strings.Contains(e.Target, hex.EncodeToString(sum[:])) ||
		!strings.Contains(e.Target, "900000 bytes") {
		t.Fatalf("audit entry of %d bytes: %.300s", len(r.Data), r.Data)
	}
}

func mustJSON(r *gqlResponse) []byte {
	b, _ := json.Marshal(struct {
		Data   json.RawMessage
		Errors any
	}{r.Data, r.Errors})
	return b
}

// TestPersistedQueries: without an allow-list a client may send a query's hash
// after its text; with one, only the listed queries run, by hash or by text.
func TestPersistedQueries(t *testing.T) {
	const listed = `{ rules { id } }`
	send := func(s *testServer, query, hash string) *gqlResponse {
		body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
		if query != "" {
			body["query"] = query
		}
		b, _ := json.Marshal(body)
		return s.send(bytes.NewReader(b))
	}
	open := newTestServer(t, Config{})
	if r := send(open, "", queryHash(listed)); outcome(r) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("an unknown hash: %+v", r.Errors)
	}
	if r := send(open, listed, queryHash(listed)); outcome(r) != "ok" {
		t.Fatalf("text with its hash: %+v", r.Errors)
	}
	if r := send(open, "", queryHash(listed)); outcome(r) != "ok" || !strings.Contains(string(r.Data), "R1") {
		t.Fatalf("the hash alone, once known: %s %+v", r.Data, r.Errors)
	}
	// A hash that is not its query's, or malformed APQ data, is the client's mistake.
	for _, r := range []*gqlResponse{
		send(open, `{ roots { id } }`, queryHash(listed)),
		send(open, listed, "not-a-hash"),
		open.send(bytes.NewReader([]byte(`{"query":"{ rules { id } }","extensions":{"persistedQuery":{"version":7,"sha256Hash":"x"}}}`))),
		open.send(bytes.NewReader([]byte(`{"query":"{ rules { id } }","extensions":{"persistedQuery":"x"}}`))),
	} {
		if outcome(r) != org.EInvalid || r.status >= 500 {
			t.Fatalf("a mismatched hash: %d %+v", r.status, r.Errors)
		}
	}

	strict := newTestServer(t, Config{AllowedQueries: map[string]string{queryHash(listed): listed}})
	if r := send(strict, "", queryHash(listed)); outcome(r) != "ok" {
		t.Fatalf("a listed hash: %+v", r.Errors)
	}
	if r := strict.post(listed, nil); outcome(r) != "ok" {
		t.Fatalf("a listed query by text: %+v", r.Errors)
	}
	for _, r := range []*gqlResponse{strict.post(`{ roots { id } }`, nil), send(strict, `{ roots { name } }`, queryHash(`{ roots { name } }`))} {
		if outcome(r) != codeQueryNotAllowed {
			t.Fatalf("an unlisted query: %+v", r.Errors)
		}
	}
}

// TestDecisionsAreNoOracle: a caller citing another committee's decision
// learns nothing of it. A decision the agency recorded, one it never
// issued, and a committee that does not exist all answer the same R9 to
// the commune's officer, byte for byte: the issuer is checked before the
// number, and neither message names either.
func TestDecisionsAreNoOracle(t *testing.T) {
	w := newAccessWorld(t)
	officer := w.mint([]org.AccessRole{org.Officer}, w.commune)
	var answers []string
	for _, d := range []map[string]any{
		{"number": "1-QĐ/ĐU", "date": today.String(), "issuerId": w.agency}, // on record
		{"number": "99-QĐ/ĐU", "date": today.String(), "issuerId": w.agency},
		{"number": "1-QĐ/ĐU", "date": today.String(), "issuerId": "onope"},
	} {
		r := w.ask(officer, `mutation($m: ID!, $c: ID!, $d: DecisionInput!) { transferMember(memberId: $m, cellId: $c, decision: $d) { seq } }`,
			map[string]any{"m": w.villager, "c": w.village2, "d": d})
		if outcome(r) != org.ERule || r.Errors[0].Extensions["rule"] != "R9" {
			t.Fatalf("%v: %+v", d, r.Errors)
		}
		b, err := json.Marshal(r.Errors)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, string(b))
	}
	for i, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("answer %d differs:\n%s\n%s", i+1, answers[0], a)
		}
	}
	if strings.Contains(answers[0], w.agency) || strings.Contains(answers[0], "Sở Tài chính") {
		t.Fatalf("the answer names the committee: %s", answers[0])
	}
}
