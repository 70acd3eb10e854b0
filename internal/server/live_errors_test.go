package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"dangbo/internal/org"
)

// TestLargeApplyReachesStreams: a scenario of 300 operations applied in one
// commit reaches a stream that keeps up, whole and in order: a stream
// buffers reads of the feed, not changes, so the commit does not overflow it.
func TestLargeApplyReachesStreams(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	w.s.token = admin
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.s.post(`mutation($d: ID!) { createScenario(name: "Đổi tên nhiều lần", within: $d) { id } }`,
		map[string]any{"d": w.district}), &created)
	id := created.CreateScenario.ID
	const n = 300
	ops := make([]string, n)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{renameOrg: {id: $c, name: "Đảng bộ xã Tam Hồng %d"}}`, i+1)
	}
	w.s.data(w.s.post(`mutation($id: ID!, $c: ID!) { addScenarioOperations(id: $id, operations: [`+strings.Join(ops, ",")+`]) { id } }`,
		map[string]any{"id": id, "c": w.commune}), &struct{}{})

	viewer := w.s.subscribeSSE(w.mint([]org.AccessRole{org.Viewer}, w.district), `subscription { changes { seq type } }`)
	waitFor(t, func() bool { return w.s.svc.OpenStreams() == 1 })
	w.s.token = admin
	var applied struct {
		ApplyScenario struct {
			Changes []struct{ Seq int64 }
		}
	}
	w.s.data(w.s.post(`mutation($id: ID!, $d: ID!) { applyScenario(id: $id, decision: {number: "300-QĐ/HU", date: "2021-01-01", issuerId: $d}) {
		changes { seq } } }`, map[string]any{"id": id, "d": w.district}), &applied)
	changes := applied.ApplyScenario.Changes
	if len(changes) != n {
		t.Fatalf("the apply recorded %d changes, want %d", len(changes), n)
	}
	for _, c := range changes {
		if e := viewer.next(); e.code() != "" || e.Data.Changes.Seq != c.Seq || e.Data.Changes.Type != "RENAMED" {
			t.Fatalf("the district's stream gave %s, want the rename %d", e.raw, c.Seq)
		}
	}
}

// TestStreamRefusalsFollowTheConventions: what a subscription cannot do is
// refused as every request is (a code, a Vietnamese message, the request's
// id), over server-sent events and at the websocket's handshake, and so are
// exports the server does not have.
func TestStreamRefusalsFollowTheConventions(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	var renamed struct{ RenameOrg struct{ Seq int64 } }
	w.s.token = admin
	w.s.data(w.s.post(`mutation($c: ID!, $d: ID!) { renameOrg(id: $c, name: "Đảng bộ xã Tam Hồng Mới",
		decision: {number: "1-QĐ/HU", date: "2021-01-01", issuerId: $d}) { seq } }`, map[string]any{"c": w.commune, "d": w.district}), &renamed)
	lastSeq := renamed.RenameOrg.Seq

	for _, tc := range []struct {
		name, query, code, says string
	}{
		// Accepted, it hid the changes numbered up to it.
		{"after the last change", fmt.Sprintf(`subscription { changes(after: %d) { seq } }`, lastSeq+1000), org.EInvalid, "after"},
		{"within nothing", `subscription { changes(within: "khong-co") { seq } }`, org.ENotFound, "khong-co"},
	} {
		e := w.s.subscribeSSE(admin, tc.query)
		got := e.next()
		if got.code() != tc.code || !strings.Contains(got.Errors[0].Message, tc.says) || !isVietnamese(got.Errors[0].Message) ||
			got.Errors[0].Extensions["requestId"] == nil {
			t.Errorf("%s: %s, want %s in Vietnamese with the request's id", tc.name, got.raw, tc.code)
		}
		e.completes()
	}

	// A document that does not parse or validate: answered before any
	// stream, as POST answers it (422, JSON, coded, in Vietnamese, with the
	// request's id), not as an event of a stream that opened.
	for _, tc := range []struct{ query, code, says string }{
		// gqlparser let two aliases of one field through, and gqlgen's
		// executor then failed with INTERNAL.
		{`subscription { a: changes { seq } b: changes { seq } }`, codeValidationFailed, "Một đăng ký chỉ được có đúng một trường gốc."},
		{`subscription { changes { nope } }`, codeValidationFailed, "nope"},
		{`subscription { changes { seq }`, codeParseFailed, "cú pháp"},
	} {
		body, _ := json.Marshal(map[string]any{"query": tc.query})
		var got [2]refusal
		for i, accept := range []string{"text/event-stream", "application/json"} {
			req, _ := http.NewRequest("POST", w.s.url+"/graphql", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusUnprocessableEntity || ct != "application/json" {
				t.Errorf("%s with Accept %s: %d %s, want 422 application/json", tc.query, accept, resp.StatusCode, ct)
			}
			_, got[i] = decodeRefusal(t, resp)
			if r := got[i]; r.code != tc.code || !strings.Contains(r.message, tc.says) || !isVietnamese(r.message) || r.requestID == "" {
				t.Errorf("%s with Accept %s: %+v, want %s in Vietnamese saying %q with the request's id", tc.query, accept, r, tc.code, tc.says)
			}
		}
		if got[0].code != got[1].code || got[0].message != got[1].message {
			t.Errorf("%s: server-sent events answered %+v, POST %+v", tc.query, got[0], got[1])
		}
	}

	// A body that is not the JSON of a request, for server-sent events:
	// worded as the POST transport words it, no Go decoder text.
	for _, body := range []string{`{"query": 5}`, `{"query": "subscription {`, `[1]`} {
		req, _ := http.NewRequest("POST", w.s.url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", "Bearer "+admin)
		status, r := do(t, req)
		if status != http.StatusBadRequest || r.code != org.EInvalid || r.requestID == "" || !isVietnamese(r.message) ||
			strings.Contains(r.message, "json") || strings.Contains(r.message, "Go struct") {
			t.Errorf("server-sent events with body %s: %d %+v", body, status, r)
		}
	}

	// A websocket's handshake from an origin the server does not list.
	h := http.Header{"Sec-WebSocket-Protocol": []string{"graphql-transport-ws"}, "Origin": []string{"http://evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.s.url, "http")+"/graphql", h)
	if err == nil {
		t.Fatal("a websocket from another origin was accepted")
	}
	status, r := decodeRefusal(t, resp)
	if status != http.StatusForbidden || r.code != org.EForbidden || r.requestID == "" || !isVietnamese(r.message) ||
		!strings.Contains(r.message, "evil.example") {
		t.Errorf("websocket from another origin: %d %+v", status, r)
	}

	// Exports the server does not have, or asked for by another method.
	w.s.token = admin
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/export/orgchart.pdf?root=" + w.district, http.StatusNotFound, org.ENotFound},
		{"GET", "/export/", http.StatusNotFound, org.ENotFound},
		{"POST", "/export/members.csv?org=" + w.commune, http.StatusMethodNotAllowed, codeMethodNotAllowed},
	} {
		req, _ := http.NewRequest(tc.method, w.s.url+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		status, r := do(t, req)
		if status != tc.status || r.code != tc.code || r.requestID == "" || !isVietnamese(r.message) {
			t.Errorf("%s %s: %d %+v", tc.method, tc.path, status, r)
		}
	}
}

// refusal is the one error of a refused HTTP request.
type refusal struct{ code, message, requestID string }

func do(t *testing.T, req *http.Request) (int, refusal) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return decodeRefusal(t, resp)
}

func decodeRefusal(t *testing.T, resp *http.Response) (int, refusal) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code, RequestID string }
		}
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) != 1 {
		t.Errorf("%d %s: not one JSON error (%v)", resp.StatusCode, body, err)
		return resp.StatusCode, refusal{}
	}
	e := r.Errors[0]
	return resp.StatusCode, refusal{e.Extensions.Code, e.Message, e.Extensions.RequestID}
}

// isVietnamese is a rough check that a message is worded in Vietnamese: it
// holds a letter only Vietnamese of the two languages writes.
func isVietnamese(msg string) bool {
	return strings.ContainsAny(msg, "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýõĩũ")
}
