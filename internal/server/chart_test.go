package server

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// chartServer serves the demo's Vĩnh Phúc province, as of the demo's date.
func chartServer(t *testing.T) *testServer {
	s := newTestServer(t, Config{})
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := s.svc.Import(ctx, demo.VinhPhuc().Clone().Reader()); err != nil {
		t.Fatal(err)
	}
	return s
}

// orgID finds an organisation by its exact name.
func (s *testServer) orgID(name string) string {
	s.t.Helper()
	var got struct {
		Search struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	s.data(s.post(`query($t: String!) { search(text: $t, first: 1, types: [ORG]) { edges { node { ... on Org { id name } } } } }`,
		map[string]any{"t": name}), &got)
	if len(got.Search.Edges) != 1 || got.Search.Edges[0].Node.Name != name {
		s.t.Fatalf("search %q = %+v", name, got)
	}
	return got.Search.Edges[0].Node.ID
}

type chartNode struct {
	ID                               string
	ParentID                         *string
	Name, Kind, Sector               string
	Depth, ChildCount                int
	HasChildren                      bool
	DirectMemberCount, MemberCount   int
	OfficialCount, ProbationaryCount int
}

type chartLink struct {
	From, To, Type string
	MemberCount    int
}

type chartColumns struct {
	Size                                                  int
	IDs                                                   []string  `json:"ids"`
	ParentIDs                                             []*string `json:"parentIds"`
	Names, Kinds, Sectors                                 []string
	Depths, ChildCounts, DirectMemberCounts, MemberCounts []int
	OfficialCounts, ProbationaryCounts                    []int
}

const chartQuery = `query($root: ID!, $depth: Int, $kinds: [OrgKind!], $asOf: Date) {
	orgChart(rootId: $root, depth: $depth, kinds: $kinds, asOf: $asOf) {
		asOf
		nodes { id parentId name kind sector depth childCount hasChildren directMemberCount memberCount officialCount probationaryCount }
		links { from to type memberCount }
		columns { size ids parentIds names kinds sectors depths childCounts directMemberCounts memberCounts officialCounts probationaryCounts }
		linkColumns { size from to memberCounts }
	}
}`

type orgChart struct {
	AsOf        string
	Nodes       []chartNode
	Links       []chartLink
	Columns     chartColumns
	LinkColumns struct {
		Size         int
		From, To     []string
		MemberCounts []int
	}
}

func (s *testServer) chart(vars map[string]any) orgChart {
	s.t.Helper()
	var got struct{ OrgChart orgChart }
	s.data(s.post(chartQuery, vars), &got)
	return got.OrgChart
}

// TestOrgChart: the chart of the Tam Hồng commune (as the source articles report it) through the
// API, as objects and as columns.
func TestOrgChart(t *testing.T) {
	s := chartServer(t)
	commune := s.orgID("Đảng bộ xã Tam Hồng")
	c := s.chart(map[string]any{"root": commune, "asOf": "2021-01-01"})
	if c.AsOf != "2021-01-01" || len(c.Nodes) != 19 {
		t.Fatalf("chart as of %s has %d nodes", c.AsOf, len(c.Nodes))
	}
	root := c.Nodes[0]
	if root.ID != commune || root.ParentID != nil || root.Kind != "GRASSROOTS_COMMITTEE" || root.Sector != "COMMUNE" ||
		root.Depth != 0 || root.ChildCount != 18 || !root.HasChildren || root.MemberCount != 587 ||
		root.OfficialCount+root.ProbationaryCount != 587 || root.DirectMemberCount != 0 {
		t.Fatalf("root = %+v", root)
	}
	sectors := map[string]int{}
	members, official := 0, 0
	for _, n := range c.Nodes[1:] {
		if n.ParentID == nil || *n.ParentID != commune || n.Kind != "CELL" || n.Depth != 1 || n.HasChildren ||
			n.MemberCount != n.DirectMemberCount {
			t.Fatalf("cell = %+v", n)
		}
		sectors[n.Sector]++
		members += n.MemberCount
		official += n.OfficialCount
	}
	if members != 587 || official != root.OfficialCount || sectors["VILLAGE"] != 13 || sectors["SCHOOL"] != 4 || sectors["HEALTH"] != 1 {
		t.Fatalf("cells: %d members, %d official, sectors %v", members, official, sectors)
	}
	// Every link joins two cells of the chart; together they are the working
	// members of the commune's school and health cells who live in its villages.
	byID := map[string]chartNode{}
	for _, n := range c.Nodes {
		byID[n.ID] = n
	}
	linked := 0
	for _, l := range c.Links {
		from, to := byID[l.From], byID[l.To]
		if l.Type != "RESIDENCE" || l.MemberCount < 1 || from.Kind != "CELL" || to.Sector != "VILLAGE" || from.Sector == "VILLAGE" {
			t.Fatalf("link %+v from %+v to %+v", l, from, to)
		}
		linked += l.MemberCount
	}
	var residents struct {
		Org struct {
			Children struct {
				Nodes []struct{ Residents struct{ TotalCount int } }
			}
		}
	}
	s.data(s.post(`query($id: ID!) { org(id: $id, asOf: "2021-01-01") { children(first: 50) { nodes { residents { totalCount } } } } }`,
		map[string]any{"id": commune}), &residents)
	total := 0
	for _, n := range residents.Org.Children.Nodes {
		total += n.Residents.TotalCount
	}
	if len(c.Links) == 0 || linked != total {
		t.Fatalf("%d links for %d members, but the village cells have %d residents", len(c.Links), linked, total)
	}

	// The columns hold the same nodes in the same order.
	col := c.Columns
	if col.Size != 19 || c.LinkColumns.Size != len(c.Links) {
		t.Fatalf("sizes %d, %d", col.Size, c.LinkColumns.Size)
	}
	for i, n := range c.Nodes {
		if col.IDs[i] != n.ID || (col.ParentIDs[i] == nil) != (n.ParentID == nil) || col.Names[i] != n.Name ||
			col.Kinds[i] != n.Kind || col.Sectors[i] != n.Sector || col.Depths[i] != n.Depth ||
			col.ChildCounts[i] != n.ChildCount || col.DirectMemberCounts[i] != n.DirectMemberCount ||
			col.MemberCounts[i] != n.MemberCount || col.OfficialCounts[i] != n.OfficialCount ||
			col.ProbationaryCounts[i] != n.ProbationaryCount {
			t.Fatalf("column %d differs from node %+v", i, n)
		}
	}
	for i, l := range c.Links {
		if c.LinkColumns.From[i] != l.From || c.LinkColumns.To[i] != l.To || c.LinkColumns.MemberCounts[i] != l.MemberCount {
			t.Fatalf("link column %d differs from %+v", i, l)
		}
	}

	// The province without its district level: communes hang from the province.
	province := s.orgID("Đảng bộ tỉnh Vĩnh Phúc")
	c = s.chart(map[string]any{"root": province, "kinds": []string{"GRASSROOTS_COMMITTEE"}})
	if len(c.Nodes) != 3 || *c.Nodes[1].ParentID != province || c.Nodes[1].Depth != 2 || len(c.Links) != 0 {
		t.Fatalf("communes only: %+v", c)
	}
	if c = s.chart(map[string]any{"root": province, "depth": 0}); len(c.Nodes) != 1 || c.Nodes[0].ChildCount != 2 {
		t.Fatalf("depth 0: %+v", c.Nodes)
	}
}

func TestOrgChartBadInput(t *testing.T) {
	s := chartServer(t)
	province := s.orgID("Đảng bộ tỉnh Vĩnh Phúc")
	s.svc.SetChartLimit(20)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		code  string
		says  string
	}{
		{"unknown root", chartQuery, map[string]any{"root": "onope"}, org.ENotFound, "onope"},
		{"negative depth", chartQuery, map[string]any{"root": province, "depth": -1}, org.EInvalid, "depth"},
		{"unknown kind in a variable", chartQuery, map[string]any{"root": province, "kinds": []string{"VILLAGE"}}, org.EInvalid, "VILLAGE"},
		{"unknown kind in the query", `query($r: ID!) { orgChart(rootId: $r, kinds: [HAMLET]) { nodes { id } } }`,
			map[string]any{"r": province}, org.EInvalid, "HAMLET"},
		{"over the node limit", chartQuery, map[string]any{"root": province}, org.EInvalid, "depth"},
		{"before the province existed", chartQuery, map[string]any{"root": province, "asOf": "1930-02-03"}, org.ENotFound, province},
	} {
		r := s.post(tc.query, tc.vars)
		if len(r.Errors) != 1 || r.codes()[0] != tc.code || !strings.Contains(r.Errors[0].Message, tc.says) {
			t.Errorf("%s: %+v, want %s mentioning %q", tc.name, r.Errors, tc.code, tc.says)
		}
		if string(r.Data) != "null" {
			t.Errorf("%s: data = %s", tc.name, r.Data)
		}
	}
	// Within the limit the same chart answers.
	if c := s.chart(map[string]any{"root": province, "depth": 2}); len(c.Nodes) != 5 {
		t.Fatalf("depth 2: %d nodes", len(c.Nodes))
	}
}

func (s *testServer) get(path string) *http.Response {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestOrgChartCSV: the CSV export holds the chart's nodes, for spreadsheets.
func TestOrgChartCSV(t *testing.T) {
	s := chartServer(t)
	commune := s.orgID("Đảng bộ xã Tam Hồng")
	want := s.chart(map[string]any{"root": commune, "asOf": "2021-01-01"})
	resp := s.get("/export/orgchart.csv?root=" + commune + "&asOf=2021-01-01")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "orgchart-"+commune+"-2021-01-01.csv") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	text, bom := strings.CutPrefix(string(body), "\uFEFF")
	if !bom {
		t.Fatal("no byte order mark for spreadsheets")
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], chartCSVHeader) || len(rows) != 1+19 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	for i, n := range want.Nodes {
		parent := ""
		if n.ParentID != nil {
			parent = *n.ParentID
		}
		wantRow := []string{n.ID, parent, n.Name, n.Kind, n.Sector, strconv.Itoa(n.Depth), strconv.Itoa(n.ChildCount),
			strconv.Itoa(n.DirectMemberCount), strconv.Itoa(n.MemberCount), strconv.Itoa(n.OfficialCount), strconv.Itoa(n.ProbationaryCount)}
		if !slices.Equal(rows[1+i], wantRow) {
			t.Fatalf("row %d = %v, want %v", i+1, rows[1+i], wantRow)
		}
	}

	province := s.orgID("Đảng bộ tỉnh Vĩnh Phúc")
	resp = s.get("/export/orgchart.csv?bom=0&depth=1&kinds=" + url.QueryEscape("PROVINCE,DISTRICT") + "&root=" + province)
	body, _ = io.ReadAll(resp.Body)
	if rows, _ := csv.NewReader(strings.NewReader(string(body))).ReadAll(); resp.StatusCode != 200 || len(rows) != 4 ||
		rows[0][0] != "id" || rows[1][2] != "Đảng bộ tỉnh Vĩnh Phúc" || rows[2][3] != "DISTRICT" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}

	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"", 400, org.EInvalid},
		{"?root=onope", 404, org.ENotFound},
		{"?root=" + province + "&depth=-2", 400, org.EInvalid},
		{"?root=" + province + "&kinds=HAMLET", 400, org.EInvalid},
		{"?root=" + province + "&asOf=2021-13-01", 400, org.EInvalid},
	} {
		resp := s.get("/export/orgchart.csv" + tc.query)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s", tc.query, resp.StatusCode, body)
		}
	}

	// Every export is in the audit log, refused ones too.
	page, err := s.svc.AuditLog(org.WithPrincipal(context.Background(), org.System), org.AuditQuery{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var exports []string
	for _, e := range page.Entries {
		if e.Action == "exportOrgChart" {
			exports = append(exports, e.Target+":"+e.Outcome)
		}
	}
	if !slices.Contains(exports, commune+":") || !slices.Contains(exports, "onope:"+org.ENotFound) ||
		!slices.Contains(exports, ":"+org.EInvalid) || !slices.Contains(exports, province+":"+org.EInvalid) {
		t.Fatalf("audited exports: %v", exports)
	}
}

// TestOrgChartCSVNeedsToken: the export goes through the same authentication
// and scope as GraphQL.
func TestOrgChartCSVNeedsToken(t *testing.T) {
	w := newAccessWorld(t)
	if resp := w.s.get("/export/orgchart.csv?root=" + w.commune); resp.StatusCode != 401 {
		t.Fatalf("without a token: %d", resp.StatusCode)
	}
	w.s.token = w.mint([]org.AccessRole{org.Viewer}, w.commune)
	if resp := w.s.get("/export/orgchart.csv?root=" + w.commune); resp.StatusCode != 200 {
		t.Fatalf("in scope: %d", resp.StatusCode)
	}
	if resp := w.s.get("/export/orgchart.csv?root=" + w.province); resp.StatusCode != 404 {
		t.Fatalf("out of scope: %d", resp.StatusCode)
	}
}

// TestViolations: the Charter checks on the Vĩnh Phúc demo find exactly the
// cells the chart shows breaking them.
func TestViolations(t *testing.T) {
	s := chartServer(t)
	province := s.orgID("Đảng bộ tỉnh Vĩnh Phúc")
	c := s.chart(map[string]any{"root": province, "asOf": "2021-01-01"})
	want := map[string]string{}
	for _, n := range c.Nodes {
		switch {
		case n.Kind == "CELL" && n.OfficialCount < 3:
			want[n.ID] = "R1"
		case n.Kind == "CELL" && n.MemberCount > 30:
			want[n.ID] = "R3"
		}
	}
	var got struct {
		Violations []struct {
			Rule, Severity, SubjectID, Message, Basis string
			Subject                                   struct{ Name string }
		}
	}
	s.data(s.post(`query($p: ID!) { violations(within: $p, asOf: "2021-01-01") { rule severity subjectId subject { name } message basis } }`,
		map[string]any{"p": province}), &got)
	if len(got.Violations) != len(want) || len(want) == 0 {
		t.Fatalf("%d findings, want %d: %+v", len(got.Violations), len(want), got)
	}
	var crowded string
	for _, v := range got.Violations {
		if want[v.SubjectID] != v.Rule || !strings.Contains(v.Message, v.Subject.Name) || v.Basis == "" {
			t.Fatalf("finding %+v, want rule %q", v, want[v.SubjectID])
		}
		if v.Rule == "R3" {
			crowded = v.SubjectID
			if v.Severity != "WARNING" {
				t.Fatalf("R3 severity %s", v.Severity)
			}
		}
	}
	s.data(s.post(`query($p: ID!) { violations(within: $p, asOf: "2021-01-01", minSeverity: ERROR) { rule } }`,
		map[string]any{"p": province}), &got)
	for _, v := range got.Violations {
		if v.Rule != "R1" && v.Rule != "R5" {
			t.Fatalf("minSeverity ERROR kept %s", v.Rule)
		}
	}
	var one struct {
		Org struct{ Violations []struct{ Rule string } }
	}
	s.data(s.post(`query($c: ID!) { org(id: $c, asOf: "2021-01-01") { violations { rule } } }`, map[string]any{"c": crowded}), &one)
	if len(one.Org.Violations) != 1 || one.Org.Violations[0].Rule != "R3" {
		t.Fatalf("Org.violations = %+v", one)
	}
	if r := s.post(`{ violations(within: "onope") { rule } }`, nil); len(r.Errors) == 0 || r.codes()[0] != org.ENotFound {
		t.Fatalf("unknown within: %+v", r.Errors)
	}
}
