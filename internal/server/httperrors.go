package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// servedRequests refuses, coded and in Vietnamese, what no transport of
// /graphql serves, which gqlgen would answer with an English "transport not
// supported" and no code: other methods, and POST bodies that are not JSON.
func servedRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodOptions, http.MethodHead:
		case http.MethodPost:
			if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
				auth.WriteError(w, http.StatusUnsupportedMediaType, org.Errorf(codeMediaType,
					"Yêu cầu POST gửi truy vấn dưới dạng JSON, với Content-Type: application/json."))
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			auth.WriteError(w, http.StatusMethodNotAllowed, org.Errorf(codeMethodNotAllowed,
				"Điểm cuối GraphQL chỉ nhận GET, POST và OPTIONS."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tooLarge is the error of a body over n bytes.
func tooLarge(n int64) error {
	size := fmt.Sprintf("%d byte", n)
	if n >= 1<<20 && n%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", n>>20)
	}
	return org.Errorf(codePayloadTooLarge, "Nội dung yêu cầu vượt quá %s: hãy chia thành nhiều yêu cầu nhỏ hơn.", size)
}

// decodeParams reads a POST body's GraphQL parameters; the error says, in
// Vietnamese and coded, what is wrong with the body without showing it back
// or naming Go types.
func decodeParams(r *http.Request) (graphql.RawParams, []byte, error) {
	var params graphql.RawParams
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
			return params, nil, tooLarge(maxErr.Limit)
		}
		return params, nil, org.Errorf(org.EInvalid, "Không đọc được nội dung yêu cầu.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // as gqlgen decodes variables
	if err := dec.Decode(&params); err != nil {
		return params, nil, jsonError(err)
	}
	return params, body, nil
}

// refuseBody answers a request whose body decodeParams refused.
func refuseBody(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if org.ErrorCode(err) == codePayloadTooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	auth.WriteError(w, status, err)
}

// jsonError words a JSON decoding error of the request's parameters.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return org.Errorf(org.EInvalid, "Nội dung yêu cầu không phải JSON hợp lệ (lỗi ở byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		return org.Errorf(org.EInvalid, "Trường %s của yêu cầu có kiểu không đúng: query và operationName là chuỗi, "+
			"variables và extensions là đối tượng JSON.", quote(typ.Field))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return org.Errorf(org.EInvalid, "Nội dung yêu cầu trống hoặc bị cắt ngang: cần một đối tượng JSON có trường query.")
	}
	return org.Errorf(org.EInvalid, "Nội dung yêu cầu không phải một đối tượng JSON có trường query.")
}

// codedGET is gqlgen's GET transport with its refusals coded and worded in
// Vietnamese: parameters that do not decode, and operations other than
// queries (a GET must not change anything), answered 405 as the GraphQL
// over HTTP specification asks.
type codedGET struct{ transport.GET }

var _ graphql.Transport = codedGET{}

func (t codedGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		auth.WriteError(w, http.StatusBadRequest, org.Errorf(org.EInvalid, "Tham số của địa chỉ (URL) không giải mã được."))
		return
	}
	for _, name := range []string{"variables", "extensions"} {
		var v map[string]any
		if s := query.Get(name); s != "" && json.Unmarshal([]byte(s), &v) != nil {
			auth.WriteError(w, http.StatusBadRequest, org.Errorf(org.EInvalid, "Tham số %s của địa chỉ không phải đối tượng JSON hợp lệ.", name))
			return
		}
	}
	// A second parse of the document, for GETs only: gqlgen refuses a
	// mutation after it has parsed and validated it, with no code.
	if doc, err := parser.ParseQuery(&ast.Source{Input: query.Get("query")}); err == nil {
		if op := doc.Operations.ForName(query.Get("operationName")); op != nil && op.Operation != ast.Query {
			w.Header().Set("Allow", "POST")
			auth.WriteError(w, http.StatusMethodNotAllowed, org.Errorf(codeMethodNotAllowed,
				"Thao tác %s chỉ gửi được bằng POST: GET chỉ dùng cho truy vấn đọc.", op.Operation))
			return
		}
	}
	t.GET.Do(w, r, exec)
}
