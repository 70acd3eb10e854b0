package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination that tests read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRequestID: every answer carries a request id in X-Request-Id, the
// client's when well-formed, a new one otherwise; every error of the answer
// carries it in extensions.requestId, those raised outside GraphQL (a bad
// token, a body that is not JSON) too; the access log line names it with the
// caller and the operation.
func TestRequestID(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, Config{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	generated := regexp.MustCompile(`^[A-Z2-7]{26}$`)
	send := func(id, token, body string) (string, []map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if id != "" {
			req.Header.Set(requestIDHeader, id)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct{ Errors []map[string]any }
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get(requestIDHeader), r.Errors
	}
	errorIDs := func(errs []map[string]any) []string {
		var ids []string
		for _, e := range errs {
			ext, _ := e["extensions"].(map[string]any)
			id, _ := ext["requestId"].(string)
			ids = append(ids, id)
		}
		return ids
	}
	const notFound = `{"query":"query Missing { org(id: \"x\") { name } scenarioDiff(id: \"x\") { nodes { id } } }"}`

	id, errs := send("req-1:a_b.C", "", notFound)
	if id != "req-1:a_b.C" || len(errs) != 1 || errorIDs(errs)[0] != id {
		t.Fatalf("a well-formed id: header %q, errors %v", id, errs)
	}
	for _, bad := range []string{"two words", "<script>", strings.Repeat("a", maxRequestIDLen+1), "é"} {
		id, errs := send(bad, "", notFound)
		if !generated.MatchString(id) || errorIDs(errs)[0] != id {
			t.Errorf("id %q: header %q, errors %v", bad, id, errs)
		}
	}
	first, _ := send("", "", `{"query":"{ __typename }"}`)
	second, _ := send("", "", `{"query":"{ __typename }"}`)
	if !generated.MatchString(first) || first == second {
		t.Errorf("generated ids %q, %q", first, second)
	}
	for what, c := range map[string]struct{ token, body string }{
		"a bad token":   {"not.a.token", notFound},
		"a broken body": {"", `{"query":`},
		"a parse error": {"", `{"query":"{"}`},
	} {
		id, errs := send("", c.token, c.body)
		if ids := errorIDs(errs); len(ids) != 1 || ids[0] != id || id == "" {
			t.Errorf("%s: header %q, errors %v", what, id, errs)
		}
	}

	var line map[string]any
	for l := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(l, `"request_id":"req-1:a_b.C"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line["msg"] != "request" || line["level"] != "INFO" || line["operation"] != "Missing" || line["status"] != float64(200) ||
		line["subject"] == "" || line["path"] != "/graphql" {
		t.Fatalf("access log line %v in:\n%s", line, logs.String())
	}

	// An internal failure (the store closed under the service) is logged
	// with its details and the request id the user sees.
	s.store.Close()
	id, errs = send("", "", `{"query":"mutation { createOrg(input: {name: \"Đảng bộ tỉnh Lào Cai\", kind: PROVINCE, sector: OTHER}) { id } }"}`)
	if len(errs) != 1 || errs[0]["extensions"].(map[string]any)["code"] != "INTERNAL" {
		t.Fatalf("a write to a closed store: %v", errs)
	}
	if !regexp.MustCompile(`"msg":"request failed","request_id":"` + id + `","err":"[^"]+"`).MatchString(logs.String()) {
		t.Fatalf("no request failed line with request_id %s:\n%s", id, logs.String())
	}
}
