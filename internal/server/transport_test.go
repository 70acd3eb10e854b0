package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponseAsEncodingJSON: the fast transport writes a response as
// encoding/json writes it, data copied as is.
func TestWriteResponseAsEncodingJSON(t *testing.T) {
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"org":{"name":"Đảng bộ xã Tam Hồng","ids":["a","b"]}}`)},
		{Data: json.RawMessage(`{"org":null}`), Errors: gqlerror.List{{Message: "không tìm thấy",
			Extensions: map[string]any{"code": "NOT_FOUND"}}}},
		{Errors: gqlerror.List{{Message: "hỏng"}}},
		{Data: json.RawMessage(`{}`), Extensions: map[string]any{"complexity": 3}},
		{Data: json.RawMessage(`{"x":1}`), Label: "l", HasNext: new(true)},
	} {
		var fast bytes.Buffer
		writeResponse(&fast, resp)
		want, _ := json.Marshal(resp)
		var got, exp any
		if err := json.Unmarshal(fast.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", fast.Bytes(), err)
		}
		_ = json.Unmarshal(want, &exp)
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("wrote %s\nwant  %s", fast.Bytes(), want)
		}
	}
}

// TestTransportStatuses: requests the fast path leaves to gqlgen's transport
// get gqlgen's answers.
func TestTransportStatuses(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tc := range []struct {
		body, accept string
		status       int
		contentType  string
		says         string
	}{
		{`{"query":"{ roots { name } }"}`, "", 200, "application/json", `"data":{"roots":[]}`},
		{`{"query":"{ nope }"}`, "", 422, "application/json", "GRAPHQL_VALIDATION_FAILED"},
		{`{"query":"{ roots("}`, "", 422, "application/json", "GRAPHQL_PARSE_FAILED"},
		{`{"query":`, "", 400, "application/json", `"code":"BAD_USER_INPUT"`},
		{`{"query":"{ nope }"}`, "application/graphql-response+json", 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{`{"query":"{ roots { name } }"}`, "application/graphql-response+json", 200, "application/graphql-response+json", `"data":{"roots":[]}`},
	} {
		req, _ := http.NewRequest("POST", s.url+"/graphql", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(body.String(), tc.says) {
			t.Errorf("%s (accept %q): %d %s %s", tc.body, tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), body.String())
		}
	}
}
