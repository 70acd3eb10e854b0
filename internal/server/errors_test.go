package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/text/unicode/norm"

	"dangbo/graph/generated"
)

// vietnamese tells a Vietnamese message: letters only Vietnamese has, in NFC.
var vietnamese = regexp.MustCompile(`[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]`)

// maxMessage bounds every error message: it quotes the client's input only
// bounded.
const maxMessage = 400

// errorCodes are the codes README's API conventions list.
var errorCodes = map[string]bool{
	"BAD_USER_INPUT": true, "NOT_FOUND": true, "CONFLICT": true, "RULE_VIOLATION": true,
	"UNAUTHENTICATED": true, "FORBIDDEN": true, "LIMIT_EXCEEDED": true, "QUERY_TOO_COMPLEX": true,
	"COMPLEXITY_LIMIT_EXCEEDED": true, "PERSISTED_QUERY_NOT_ALLOWED": true, "PERSISTED_QUERY_NOT_FOUND": true,
	"INTERNAL": true, "UNAVAILABLE": true, "GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true,
	"PAYLOAD_TOO_LARGE": true, "METHOD_NOT_ALLOWED": true, "UNSUPPORTED_MEDIA_TYPE": true,
}

// checkErrors fails unless body is a GraphQL answer whose every error
// carries a listed code, the request's id, and a bounded Vietnamese message.
func checkErrors(t *testing.T, what string, body []byte) []string {
	t.Helper()
	var r gqlResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: answer is not JSON: %v: %.200s", what, err, body)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("%s: no error: %.300s", what, body)
	}
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		switch {
		case !errorCodes[code]:
			t.Errorf("%s: code %q is not in the README's list: %+v", what, code, e)
		case e.Extensions["requestId"] == nil:
			t.Errorf("%s: no requestId: %+v", what, e)
		case !vietnamese.MatchString(e.Message) || !norm.NFC.IsNormalString(e.Message):
			t.Errorf("%s: message is not Vietnamese in NFC: %q", what, e.Message)
		case utf8.RuneCountInString(e.Message) > maxMessage:
			t.Errorf("%s: message of %d characters", what, utf8.RuneCountInString(e.Message))
		}
		if d, _ := e.Extensions["detail"].(string); utf8.RuneCountInString(d) > maxDetail+1 {
			t.Errorf("%s: detail of %d characters", what, utf8.RuneCountInString(d))
		}
	}
	return r.codes()
}

// TestErrorsOnEveryPath sends what a client may get wrong, at each layer the
// request crosses, and expects each answer coded, in Vietnamese, bounded.
func TestErrorsOnEveryPath(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 64 << 10, MaxDepth: 6, MaxComplexity: 2000})
	huge := strings.Repeat("x", 60<<10)
	post := func(query string, vars map[string]any, opName string) string {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars, "operationName": opName})
		return string(b)
	}
	for _, tc := range []struct {
		name, method, contentType, body, query string
		status                                 int
		code                                   string
	}{
		{"parse error", "POST", "", post(`{ roots { id `, nil, ""), "", 422, "GRAPHQL_PARSE_FAILED"},
		{"parse error quoting a long string", "POST", "", post(`{ roots("`+huge+`") `, nil, ""), "", 422, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", "POST", "", post(`{ roots { nope } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown long field", "POST", "", post(`{ roots { `+huge+` } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown argument", "POST", "", post(`{ roots(nope: 1) { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"missing argument", "POST", "", post(`{ org { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong argument type", "POST", "", post(`{ search(text: "an", first: "ten") { edges { score } } }`, nil, ""), "", 422, "BAD_USER_INPUT"},
		{"unknown enum value", "POST", "", post(`{ orgChart(rootId: "x", kinds: [HAMLET]) { nodes { id } } }`, nil, ""), "", 422, "BAD_USER_INPUT"},
		{"selection on a scalar", "POST", "", post(`{ roots { id { x } } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"no selection on an object", "POST", "", post(`{ roots }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown fragment", "POST", "", post(`{ roots { ...F } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"unused variable", "POST", "", post(`query($x: Int) { roots { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"undefined variable", "POST", "", post(`{ org(id: $x) { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"conflicting aliases", "POST", "", post(`{ a: roots(asOf: "2020-01-01") { id } a: roots { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"subscription unsupported", "POST", "", post(`subscription { roots { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"variable of the wrong type", "POST", "", post(`query($f: Int) { search(text: "an", first: $f) { edges { score } } }`, map[string]any{"f": "ten"}, ""), "", 422, "BAD_USER_INPUT"},
		{"variable missing", "POST", "", post(`query($id: ID!) { org(id: $id) { id } }`, nil, ""), "", 422, "BAD_USER_INPUT"},
		{"variable null", "POST", "", post(`query($id: ID!) { org(id: $id) { id } }`, map[string]any{"id": nil}, ""), "", 422, "BAD_USER_INPUT"},
		{"variable's unknown field", "POST", "", post(`mutation($i: CreateOrgInput!) { createOrg(input: $i) { id } }`,
			map[string]any{"i": map[string]any{"name": "X", "kind": "CELL", huge: 1}}, ""), "", 422, "BAD_USER_INPUT"},
		{"variable's bad enum", "POST", "", post(`query($k: [OrgKind!]) { orgChart(rootId: "x", kinds: $k) { nodes { id } } }`, map[string]any{"k": []string{"HAMLET"}}, ""), "", 422, "BAD_USER_INPUT"},
		{"operation not found", "POST", "", post(`query A { roots { id } }`, nil, "B"), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"operation not chosen", "POST", "", post(`query A { roots { id } } query B { roots { id } }`, nil, ""), "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"no operation", "POST", "", `{"query": ""}`, "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"no query", "POST", "", `{}`, "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"too deep", "POST", "", post(`{ roots { parent { parent { parent { parent { parent { parent { id } } } } } } } }`, nil, ""), "", 200, "QUERY_TOO_COMPLEX"},
		{"too complex", "POST", "", post(`{ search(text: "an", first: 100) { edges { path { children(first: 500) { totalCount } } } } }`, nil, ""), "", 200, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"unknown long id", "POST", "", post(`query($id: ID!) { statistics(orgId: $id) { memberCount } }`, map[string]any{"id": huge}, ""), "", 200, "NOT_FOUND"},
		{"long id in a mutation", "POST", "", post(`mutation($id: ID!) { renameOrg(id: $id, name: "X", decision: {number: "1", date: "2021-01-01", issuerId: $id}) { seq } }`,
			map[string]any{"id": huge}, ""), "", 200, "NOT_FOUND"},
		{"long bad date", "POST", "", post(`query($d: Date) { roots(asOf: $d) { id } }`, map[string]any{"d": huge}, ""), "", 200, "BAD_USER_INPUT"},
		{"persisted query unknown", "POST", "", `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + strings.Repeat("ab", 32) + `"}}}`, "", 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"malformed JSON", "POST", "", `{"query": `, "", 400, "BAD_USER_INPUT"},
		{"not JSON", "POST", "", `query { roots { id } }`, "", 400, "BAD_USER_INPUT"},
		{"query not a string", "POST", "", `{"query": 42}`, "", 400, "BAD_USER_INPUT"},
		{"variables not an object", "POST", "", `{"query": "{ roots { id } }", "variables": [1]}`, "", 400, "BAD_USER_INPUT"},
		{"oversized body", "POST", "", post(`{ roots { id } }`+strings.Repeat(" ", 70<<10), nil, ""), "", 413, "PAYLOAD_TOO_LARGE"},
		{"wrong content type", "POST", "text/plain", post(`{ roots { id } }`, nil, ""), "", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"GraphQL content type", "POST", "application/graphql", `{ roots { id } }`, "", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", "POST", "-", post(`{ roots { id } }`, nil, ""), "", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"PUT", "PUT", "", post(`{ roots { id } }`, nil, ""), "", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "DELETE", "", "", "", 405, "METHOD_NOT_ALLOWED"},
		{"PATCH", "PATCH", "", post(`{ roots { id } }`, nil, ""), "", 405, "METHOD_NOT_ALLOWED"},
		{"GET mutation", "GET", "", "", "query=" + url.QueryEscape(`mutation { createOrg(input: {name: "X", kind: PROVINCE}) { id } }`), 405, "METHOD_NOT_ALLOWED"},
		{"GET bad variables", "GET", "", "", "query=" + url.QueryEscape(`{ roots { id } }`) + "&variables=%7B", 400, "BAD_USER_INPUT"},
		{"GET bad extensions", "GET", "", "", "query=" + url.QueryEscape(`{ roots { id } }`) + "&extensions=nope", 400, "BAD_USER_INPUT"},
		{"GET bad escape", "GET", "", "", "query=%zz", 400, "BAD_USER_INPUT"},
		{"GET without query", "GET", "", "", "", 422, "GRAPHQL_VALIDATION_FAILED"},
		{"GET parse error", "GET", "", "", "query=" + url.QueryEscape(`{ roots {`), 422, "GRAPHQL_PARSE_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.url+"/graphql?"+tc.query, strings.NewReader(tc.body))
			switch tc.contentType {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			codes := checkErrors(t, tc.name, body)
			if resp.StatusCode != tc.status || codes[0] != tc.code {
				t.Fatalf("status %d, codes %v, want %d %s: %.300s", resp.StatusCode, codes, tc.status, tc.code, body)
			}
			if strings.Contains(string(body), huge[:maxDetail+1]) {
				t.Fatalf("the answer echoes unbounded input: %.1000s", body)
			}
		})
	}
}

// TestWrongArgumentTypes sends, for every argument of every field the
// schema has, a value of the wrong type, the rest of the document valid:
// each answer is a coded Vietnamese error.
func TestWrongArgumentTypes(t *testing.T) {
	s := newTestServer(t, Config{})
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	paths := fieldPaths(schema)
	n := 0
	for _, typ := range schema.Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") || paths[typ.Name] == nil {
			continue
		}
		for _, f := range typ.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			for _, arg := range f.Arguments {
				wrong, ok := wrongValue(schema, arg.Type)
				if !ok {
					continue
				}
				args := requiredArgs(schema, f.Arguments, arg.Name)
				args = append(args, arg.Name+": "+wrong)
				field := f.Name + "(" + strings.Join(args, ", ") + ")" + leafSelection(schema, f.Type)
				doc := paths[typ.Name](field)
				what := typ.Name + "." + f.Name + "(" + arg.Name + ")"
				r := s.post(doc, nil)
				if len(r.Errors) == 0 {
					t.Errorf("%s: no error for %s", what, doc)
					continue
				}
				for _, e := range r.Errors {
					code, _ := e.Extensions["code"].(string)
					if code != "BAD_USER_INPUT" && code != "GRAPHQL_VALIDATION_FAILED" || !vietnamese.MatchString(e.Message) {
						t.Errorf("%s: %q %q for %s", what, code, e.Message, doc)
					}
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d arguments tried", n)
	}
}

// fieldPaths gives, for each object type reachable from Query or Mutation,
// a document that selects a given field of it: the shortest chain of fields
// from the root, each given valid values for its required arguments.
func fieldPaths(schema *ast.Schema) map[string]func(field string) string {
	paths := map[string]func(string) string{}
	type step struct {
		typ  *ast.Definition
		wrap func(string) string
	}
	var queue []step
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
		op := "query"
		if root == schema.Mutation {
			op = "mutation"
		}
		queue = append(queue, step{root, func(sel string) string { return op + " { " + sel + " }" }})
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if paths[st.typ.Name] != nil {
			continue
		}
		paths[st.typ.Name] = st.wrap
		for _, f := range st.typ.Fields {
			inner := schema.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || inner == nil || paths[inner.Name] != nil {
				continue
			}
			call := f.Name
			if args := requiredArgs(schema, f.Arguments, ""); len(args) > 0 {
				call += "(" + strings.Join(args, ", ") + ")"
			}
			wrap := st.wrap
			switch inner.Kind {
			case ast.Object:
				queue = append(queue, step{inner, func(sel string) string { return wrap(call + " { " + sel + " }") }})
			case ast.Union, ast.Interface:
				for _, impl := range schema.GetPossibleTypes(inner) {
					name := impl.Name
					queue = append(queue, step{impl, func(sel string) string { return wrap(call + " { ... on " + name + " { " + sel + " } }") }})
				}
			}
		}
	}
	return paths
}

// requiredArgs are valid literals of the required arguments but skip.
func requiredArgs(schema *ast.Schema, defs ast.ArgumentDefinitionList, skip string) []string {
	var out []string
	for _, a := range defs {
		if a.Type.NonNull && a.DefaultValue == nil && a.Name != skip {
			out = append(out, a.Name+": "+validValue(schema, a.Type))
		}
	}
	return out
}

// validValue is a literal validation accepts for typ.
func validValue(schema *ast.Schema, typ *ast.Type) string {
	if typ.Elem != nil {
		return "[" + validValue(schema, typ.Elem) + "]"
	}
	def := schema.Types[typ.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+validValue(schema, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	case typ.NamedType == "Int" || typ.NamedType == "Float":
		return "1"
	case typ.NamedType == "Boolean":
		return "true"
	case typ.NamedType == "Date":
		return `"2021-01-01"`
	}
	return `"x"`
}

// wrongValue is a literal of the wrong type for typ, when validation can
// tell: a custom scalar's literal is checked only when the field runs.
func wrongValue(schema *ast.Schema, typ *ast.Type) (string, bool) {
	if typ.Elem != nil {
		w, ok := wrongValue(schema, typ.Elem)
		return "[" + w + "]", ok
	}
	def := schema.Types[typ.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return "NOT_A_VALUE", true
	case def.Kind == ast.InputObject:
		return `"x"`, true
	case typ.NamedType == "Int" || typ.NamedType == "Float" || typ.NamedType == "Boolean":
		return `"x"`, true
	case typ.NamedType == "String" || typ.NamedType == "ID":
		return "{a: 1}", true
	}
	return "", false
}

// leafSelection selects __typename under a field of an object type.
func leafSelection(schema *ast.Schema, typ *ast.Type) string {
	if def := schema.Types[typ.Name()]; def != nil && (def.Kind == ast.Object || def.Kind == ast.Union || def.Kind == ast.Interface) {
		return " { __typename }"
	}
	return ""
}

// A request its client left is no error of the service's: it is not logged
// as one, which a client could otherwise do at will by hanging up.
func TestCancelledRequestIsNoError(t *testing.T) {
	var log strings.Builder
	present := presentError(slog.New(slog.NewTextHandler(&log, nil)))
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	present(ctx, fmt.Errorf("read: %w", context.Canceled))
	if strings.Contains(log.String(), "level=ERROR") {
		t.Fatalf("a cancelled request was logged as an error: %s", log.String())
	}
	present(ctx, errors.New("a bug"))
	if !strings.Contains(log.String(), "level=ERROR") {
		t.Fatalf("an internal error was not logged: %q", log.String())
	}
}
