package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"dangbo/internal/auth"
	"dangbo/internal/org"
	"dangbo/internal/scenario"
	"dangbo/internal/store/memory"
	"dangbo/internal/store/observed"
	"dangbo/internal/telemetry"
)

// today is the date the tests' writes take effect on.
var today = org.DateFrom(2021, 1, 1)

// testRequestID is the X-Request-Id the tests' requests carry.
const testRequestID = "dangbo-test"

type testServer struct {
	t     *testing.T
	url   string
	svc   *org.Service
	scn   *scenario.Service // svc's
	store org.Store
	token string // bearer token sent with GraphQL requests; empty for none
	// handler is what the server serves.
	handler http.Handler
	// day is the service's today, today unless a test moves it on.
	day *atomic.Int32
}

// newTestServer serves cfg on an empty store. Requests without a token run as
// the dev admin unless cfg brings its own Authenticator.
func newTestServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	store, err := memory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth == nil {
		if cfg.Auth, err = auth.New(t.Context(), auth.Config{Secret: testSecret, Dev: true}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { store.Close() })
	cfg.Store = store
	// As the binary does.
	var observers []observed.Observer
	if cfg.Metrics != nil {
		observers = append(observers, cfg.Metrics)
	}
	if cfg.Tracing != nil {
		observers = append(observers, telemetry.NewStoreSpans(cfg.Tracing))
	}
	cfg.Store = observed.Wrap(store, observers...)
	day := new(atomic.Int32)
	day.Store(int32(today))
	cfg.Service = org.NewService(cfg.Store, func() org.Date { return org.Date(day.Load()) })
	cfg.Scenarios = scenario.New(cfg.Service, cfg.Store)
	h := NewHandler(cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &testServer{t: t, url: ts.URL, svc: cfg.Service, scn: cfg.Scenarios, store: store, day: day, handler: h}
}

// gqlResponse is a GraphQL response with its errors' codes at hand.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
	header http.Header
}

func (r *gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprint(e.Extensions["code"]))
	}
	return out
}

func (s *testServer) post(query string, vars map[string]any) *gqlResponse {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.send(bytes.NewReader(body))
}

func (s *testServer) send(body *bytes.Reader) *gqlResponse {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.url+"/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	// One request id for every request, as a client may send: answers that
	// tests compare byte for byte then differ by nothing else.
	req.Header.Set(requestIDHeader, testRequestID)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	r.status, r.header = resp.StatusCode, resp.Header
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil && resp.StatusCode == http.StatusOK {
		s.t.Fatalf("decoding response: %v", err)
	}
	return &r
}

// data decodes a response without errors into v.
func (s *testServer) data(r *gqlResponse, v any) {
	s.t.Helper()
	if len(r.Errors) > 0 {
		s.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		s.t.Fatal(err)
	}
}

// decidedBy is the decision of an operation taking effect today.
func decidedBy(issuer, number string) org.Meta {
	return org.Meta{Decision: org.Decision{Number: number, Date: today, IssuerID: issuer}}
}

// commune builds a province, a district, a commune with two cells, and returns their ids.
func (s *testServer) commune() (province, district, commune, village, school string) {
	s.t.Helper()
	ctx := org.WithPrincipal(context.Background(), auth.DevPrincipal())
	mk := func(parent, name string, kind org.Kind, sector org.Sector) string {
		o, err := s.svc.CreateOrg(ctx, org.NewOrg{ParentID: parent, Name: name, Kind: kind, Sector: sector})
		if err != nil {
			s.t.Fatal(err)
		}
		return o.ID
	}
	province = mk("", "Đảng bộ tỉnh Vĩnh Phúc", org.Province, org.SectorOther)
	district = mk(province, "Đảng bộ huyện Yên Lạc", org.District, org.SectorOther)
	commune = mk(district, "Đảng bộ xã Tam Hồng", org.GrassrootsCommittee, org.SectorCommune)
	village = mk(commune, "Chi bộ thôn Đông", org.Cell, org.SectorVillage)
	school = mk(commune, "Chi bộ Trường Tiểu học", org.Cell, org.SectorSchool)
	return
}

func TestQueriesAndMutations(t *testing.T) {
	s := newTestServer(t, Config{})
	province, district, commune, village, school := s.commune()
	var created struct {
		CreateMember struct {
			ID     string
			Status string
			Cell   struct{ Name string }
		}
	}
	s.data(s.post(`mutation($in: CreateMemberInput!) { createMember(input: $in) { id status cell { name } } }`,
		map[string]any{"in": map[string]any{"cellId": school, "fullName": "  Nguyễn Văn An ", "gender": "MALE",
			"status": "OFFICIAL", "admittedOn": "2015-03-02", "birthDate": "1985-07-01"}}), &created)
	if created.CreateMember.Status != "OFFICIAL" || created.CreateMember.Cell.Name != "Chi bộ Trường Tiểu học" {
		t.Fatalf("createMember = %+v", created)
	}
	var res struct {
		SetResidence struct {
			Type     string
			Subjects []struct{ ResidenceCell struct{ ID string } }
		}
	}
	s.data(s.post(`mutation($m: ID!, $c: ID!, $i: ID!) {
		setResidence(memberId: $m, cellId: $c, decision: {number: "12-QĐ/ĐU", date: "2020-12-30", issuerId: $i}) {
			type subjects { ... on Member { residenceCell { id } } } } }`,
		map[string]any{"m": created.CreateMember.ID, "c": village, "i": commune}), &res)
	if res.SetResidence.Type != "RESIDENCE_SET" || res.SetResidence.Subjects[0].ResidenceCell.ID != village {
		t.Fatalf("setResidence = %+v", res)
	}

	var got struct {
		Statistics struct {
			DistrictCount, GrassrootsCount, CellCount, MemberCount, OfficialCount int
			CellsBySector                                                         []struct {
				Sector string
				Count  int
			}
		}
		Org struct {
			Name      string
			Ancestors []struct{ Name string }
			Children  struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct {
						Name        string
						ChildCount  int
						HasChildren bool
						MemberCount int
						Residents   struct{ TotalCount int }
					}
				}
				PageInfo struct{ HasNextPage bool }
			}
		}
		Search struct {
			Edges []struct {
				Node struct {
					Typename string `json:"__typename"`
					FullName string
				}
				Path []struct{ Name string }
			}
		}
	}
	s.data(s.post(`query($p: ID!, $c: ID!) {
		statistics(orgId: $p) { districtCount grassrootsCount cellCount memberCount officialCount cellsBySector { sector count } }
		org(id: $c) { name ancestors { name }
			children(first: 1) { totalCount edges { cursor node { name childCount hasChildren memberCount residents { totalCount } } } pageInfo { hasNextPage } } }
		search(text: "nguyen van an") { edges { node { __typename ... on Member { fullName } } path { name } } }
	}`, map[string]any{"p": province, "c": commune}), &got)
	st := got.Statistics
	if st.DistrictCount != 1 || st.GrassrootsCount != 1 || st.CellCount != 2 || st.MemberCount != 1 || st.OfficialCount != 1 ||
		fmt.Sprint(st.CellsBySector) != "[{SCHOOL 1} {VILLAGE 1}]" {
		t.Fatalf("statistics = %+v", st)
	}
	o := got.Org
	if o.Name != "Đảng bộ xã Tam Hồng" || len(o.Ancestors) != 2 || o.Ancestors[0].Name != "Đảng bộ tỉnh Vĩnh Phúc" ||
		o.Children.TotalCount != 2 || !o.Children.PageInfo.HasNextPage || o.Children.Edges[0].Node.Name != "Chi bộ thôn Đông" ||
		o.Children.Edges[0].Node.Residents.TotalCount != 1 || o.Children.Edges[0].Node.HasChildren {
		t.Fatalf("org = %+v", o)
	}
	if hits := got.Search.Edges; len(hits) != 1 || hits[0].Node.Typename != "Member" || hits[0].Node.FullName != "Nguyễn Văn An" ||
		len(hits[0].Path) != 4 || hits[0].Path[3].Name != "Chi bộ Trường Tiểu học" {
		t.Fatalf("search = %+v", got.Search)
	}
	var next struct {
		Org struct {
			Children struct {
				Edges []struct{ Node struct{ Name string } }
			}
		}
	}
	s.data(s.post(`query($c: ID!, $after: String) { org(id: $c) { children(first: 5, after: $after) { edges { node { name } } } } }`,
		map[string]any{"c": commune, "after": o.Children.Edges[0].Cursor}), &next)
	if len(next.Org.Children.Edges) != 1 || next.Org.Children.Edges[0].Node.Name != "Chi bộ Trường Tiểu học" {
		t.Fatalf("second page = %+v", next)
	}
	// A cursor pages only the connection it came from: another parent,
	// field, filter or date refuses it.
	cursor := o.Children.Edges[0].Cursor
	for name, q := range map[string]string{
		"another parent": `query($d: ID!, $after: String) { org(id: $d) { children(after: $after) { totalCount } } }`,
		"another field":  `query($c: ID!, $after: String) { org(id: $c) { members(after: $after) { totalCount } } }`,
		"another filter": `query($c: ID!, $after: String) { org(id: $c) { children(after: $after, kinds: [CELL]) { totalCount } } }`,
		"another date":   `query($c: ID!, $after: String) { org(id: $c) { children(after: $after, asOf: "2030-01-01") { totalCount } } }`,
		"the history":    `query($after: String) { changes(after: $after) { nodes { seq } } }`,
	} {
		r := s.post(q, map[string]any{"c": commune, "d": district, "after": cursor})
		if len(r.Errors) == 0 || r.codes()[0] != org.EInvalid {
			t.Errorf("%s: a children cursor gave %+v", name, r)
		}
	}
	// Unknown ids: queries answer null.
	var missing struct {
		Org    *struct{ ID string }
		Member *struct{ ID string }
		Node   *struct{ ID string }
	}
	s.data(s.post(`{ org(id: "onope") { id } member(id: "mnope") { id } node(id: "onope") { id } }`, nil), &missing)
	if missing.Org != nil || missing.Member != nil || missing.Node != nil {
		t.Fatalf("unknown ids = %+v", missing)
	}
	// As of a date before anything existed, there is nothing.
	var before struct{ Roots []struct{ ID string } }
	s.data(s.post(`{ roots(asOf: "2020-12-31") { id } }`, nil), &before)
	if len(before.Roots) != 0 {
		t.Fatalf("roots before creation = %+v", before)
	}
}

// TestSearchFirst: first: 0 asks for nothing and gets nothing; first: null
// gets the default, as an omitted first does.
func TestSearchFirst(t *testing.T) {
	s := newTestServer(t, Config{})
	s.commune()
	for _, tc := range []struct {
		first any
		hits  int
	}{{0, 0}, {nil, 1}, {1, 1}} {
		r := s.post(`query($f: Int) { search(text: "tam hong", first: $f) { totalCount edges { score } } }`, map[string]any{"f": tc.first})
		var got struct {
			Search struct {
				TotalCount int
				Edges      []struct{ Score float64 }
			}
		}
		s.data(r, &got)
		if len(got.Search.Edges) != tc.hits || got.Search.TotalCount != 1 {
			t.Fatalf("first: %v gave %d hits of %d, want %d of 1", tc.first, len(got.Search.Edges), got.Search.TotalCount, tc.hits)
		}
	}
	if r := s.post(`{ search(text: "", first: 0) { edges { score } } }`, nil); outcome(r) != org.EInvalid {
		t.Fatalf("an empty text with first: 0: %+v", r.Errors)
	}
}

func TestBadInput(t *testing.T) {
	s := newTestServer(t, Config{MaxDepth: 6, MaxComplexity: 2000})
	province, district, commune, _, _ := s.commune()
	long := strings.Repeat("x", org.MaxNameLen+1)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		code  string
	}{
		{"cell under a province", `mutation($p: ID!) { createOrg(input: {parentId: $p, name: "Chi bộ", kind: CELL}) { id } }`,
			map[string]any{"p": province}, org.ERule},
		{"member in a district", `mutation($d: ID!) { createMember(input: {cellId: $d, fullName: "A B", gender: MALE, status: PROBATIONARY}) { id } }`,
			map[string]any{"d": district}, org.ERule},
		{"unknown parent", `mutation { createOrg(input: {parentId: "onope", name: "X", kind: CELL}) { id } }`, nil, org.ENotFound},
		{"unknown member", `mutation($c: ID!) { setResidence(memberId: "mnope", cellId: $c, decision: {number: "1", date: "2021-01-01", issuerId: $c}) { seq } }`,
			map[string]any{"c": commune}, org.ENotFound},
		{"empty name", `mutation($p: ID!) { createOrg(input: {parentId: $p, name: "  ", kind: DISTRICT}) { id } }`,
			map[string]any{"p": province}, org.EInvalid},
		{"long name", `mutation($p: ID!, $n: String!) { createOrg(input: {parentId: $p, name: $n, kind: DISTRICT}) { id } }`,
			map[string]any{"p": province, "n": long}, org.EInvalid},
		{"unknown enum literal", `mutation { createOrg(input: {name: "X", kind: HAMLET}) { id } }`, nil, org.EInvalid},
		{"unknown enum variable", `mutation($k: OrgKind!) { createOrg(input: {name: "X", kind: $k}) { id } }`,
			map[string]any{"k": "HAMLET"}, org.EInvalid},
		{"bad date", `{ roots(asOf: "2021-13-40") { id } }`, nil, org.EInvalid},
		{"malformed cursor", `query($c: ID!) { org(id: $c) { children(after: "!!") { totalCount } } }`,
			map[string]any{"c": commune}, org.EInvalid},
		{"first above the maximum", `query($c: ID!) { org(id: $c) { children(first: 100000) { totalCount } } }`,
			map[string]any{"c": commune}, org.EInvalid},
		{"negative first", `query($c: ID!) { org(id: $c) { members(first: -1) { totalCount } } }`,
			map[string]any{"c": commune}, org.EInvalid},
		{"search too long", `query($t: String!) { search(text: $t) { edges { score } } }`, map[string]any{"t": long}, org.EInvalid},
		{"search too many", `{ search(text: "an", first: 1000) { edges { score } } }`, nil, org.EInvalid},
		{"statistics of nothing", `{ statistics(orgId: "onope") { memberCount } }`, nil, org.ENotFound},
		{"too deep", `query($c: ID!) { org(id: $c) { parent { parent { parent { parent { parent { parent { id } } } } } } } }`,
			map[string]any{"c": commune}, codeTooComplex},
		{"too complex", `query($c: ID!) { org(id: $c) { children(first: 500) { edges { node { children(first: 500) { totalCount } } } } } }`,
			map[string]any{"c": commune}, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"syntax error", `{ roots { id `, nil, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", `{ roots { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(tc.query, tc.vars)
			if len(r.Errors) == 0 || r.codes()[0] != tc.code {
				t.Fatalf("codes = %v (%+v), want %s", r.codes(), r.Errors, tc.code)
			}
			if r.status >= 500 {
				t.Fatalf("status %d", r.status)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, "dangbo/") || strings.Contains(e.Message, ".go:") {
					t.Fatalf("error leaks internals: %q", e.Message)
				}
			}
		})
	}
	// A rule violation names its rule and legal basis.
	r := s.post(`mutation($p: ID!) { createOrg(input: {parentId: $p, name: "Chi bộ", kind: CELL}) { id } }`, map[string]any{"p": province})
	if r.Errors[0].Extensions["rule"] != "R5" || r.Errors[0].Extensions["basis"] == "" {
		t.Fatalf("rule violation extensions = %+v", r.Errors[0].Extensions)
	}
	// Nothing was written by the refused mutations.
	var st struct {
		Statistics struct{ DistrictCount, CellCount int }
	}
	s.data(s.post(`query($p: ID!) { statistics(orgId: $p) { districtCount cellCount } }`, map[string]any{"p": province}), &st)
	if st.Statistics.DistrictCount != 1 || st.Statistics.CellCount != 2 {
		t.Fatalf("refused mutations wrote: %+v", st)
	}
}

func TestHTTPLimitsAndHealth(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 1024})
	big := bytes.Repeat([]byte(" "), 4096)
	resp, err := http.Post(s.url+"/graphql", "application/json", bytes.NewReader(append([]byte(`{"query":"{ roots { id } }"`), append(big, '}')...)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: status %d", resp.StatusCode)
	}
	for _, body := range []string{`{`, `not json`, `{"query": 42}`} {
		resp, err := http.Post(s.url+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("malformed request %q: status %d", body, resp.StatusCode)
		}
	}
	resp, err = http.Get(s.url + "/graphql?query=" + "%7B%20roots%20%7B%20id%20%7D%20%7D")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET query: status %d", resp.StatusCode)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
	}
}

func TestIntrospectionCanBeTurnedOff(t *testing.T) {
	on := newTestServer(t, Config{})
	if r := on.post(`{ __schema { queryType { name } } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("introspection on: %+v", r.Errors)
	}
	off := newTestServer(t, Config{NoIntrospection: true})
	if r := off.post(`{ __schema { queryType { name } } }`, nil); len(r.Errors) == 0 {
		t.Fatal("introspection answered while turned off")
	}
}

// TestWebsocketTransport runs a query over the graphql-transport-ws protocol.
func TestWebsocketTransport(t *testing.T) {
	s := newTestServer(t, Config{})
	s.commune()
	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init"})
	ws.receive("connection_ack")
	ws.send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": `{ roots { name } }`}})
	m := ws.receive("next")
	if !strings.Contains(string(m.Payload), "Đảng bộ tỉnh Vĩnh Phúc") {
		t.Fatalf("websocket answer = %s", m.Payload)
	}
	ws.receive("complete")
}

// TestWebsocketErrorEndsTheOperation: an operation refused before it runs
// gets an error message and nothing more, as graphql-transport-ws asks (an
// error ends the operation; no complete follows), whether the error is short
// or long enough to span frames; the socket serves the next operation, with
// the same id too.
func TestWebsocketErrorEndsTheOperation(t *testing.T) {
	s := newTestServer(t, Config{})
	s.commune()
	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init"})
	ws.receive("connection_ack")
	// A long error (its 100 errors, as many as an answer lists: a frame
	// of a 16-bit length) and a long answer (a frame of a 64-bit length).
	var many, names strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&many, " f%d: khongCo%d", i, i)
		fmt.Fprintf(&names, " n%d: name", i)
	}
	for i, query := range []string{`{ khongCo }`, `{ roots { `, "{" + many.String() + " }", "{ roots {" + names.String() + " } }", `{ roots { name } }`} {
		id := fmt.Sprint(i)
		ws.send(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": query}})
		wantLast := "error"
		if i >= 3 {
			wantLast = "complete"
		}
		for {
			m := ws.receive("")
			if m.ID != id {
				t.Fatalf("%s: got %s for operation %q, want only operation %q's", query[:min(len(query), 20)], m.Type, m.ID, id)
			}
			if m.Type == "error" && i == 2 && len(m.Payload) < 16<<10 || m.Type == "next" && i == 3 && len(m.Payload) < 1<<16 {
				t.Fatalf("the long %s is %d bytes: not enough to span frames", m.Type, len(m.Payload))
			}
			if m.Type == wantLast {
				break
			}
			if m.Type != "next" || wantLast == "error" {
				t.Fatalf("%s: got %s %s", query[:min(len(query), 20)], m.Type, m.Payload)
			}
		}
	}
	// The same id again, after an error: its complete comes.
	ws.send(map[string]any{"type": "subscribe", "id": "0", "payload": map[string]any{"query": `{ __typename }`}})
	ws.receive("next")
	if m := ws.receive("complete"); m.ID != "0" {
		t.Fatalf("complete for %q", m.ID)
	}
}

// wsClient speaks graphql-transport-ws to the test server.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// dialWebsocket opens a connection to /graphql with the given handshake headers.
func (s *testServer) dialWebsocket(header http.Header) *wsClient {
	s.t.Helper()
	h := http.Header{"Sec-WebSocket-Protocol": []string{"graphql-transport-ws"}, "Origin": []string{s.url}}
	for k, v := range header {
		h[k] = v
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/graphql", h)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close() })
	return &wsClient{t: s.t, conn: conn}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// receive skips keep-alives up to a message of type want (any, if empty), and fails on any other.
func (c *wsClient) receive(want string) wsMessage {
	c.t.Helper()
	for {
		var m wsMessage
		if err := c.conn.ReadJSON(&m); err != nil {
			c.t.Fatal(err)
		}
		if m.Type == want || want == "" && m.Type != "ping" && m.Type != "ka" {
			return m
		}
		if m.Type != "ping" && m.Type != "ka" {
			c.t.Fatalf("got %s %s, want %s", m.Type, m.Payload, want)
		}
	}
}
