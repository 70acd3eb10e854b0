package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/text/unicode/norm"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// maxQuoted bounds what a message quotes of the client's input (a name, a
// value): a 1 MiB field name must not come back in the answer, nor in logs.
const maxQuoted = 48

// maxDetail bounds the English detail kept for developers in
// extensions.detail.
const maxDetail = 200

// quote is s in quotes, cut to maxQuoted characters.
func quote(s string) string { return `"` + bound(s, maxQuoted) + `"` }

// bound cuts s to n characters (runes, valid UTF-8, NFC), marking the cut.
func bound(s string, n int) string {
	s = strings.ToValidUTF8(s, "�")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return norm.NFC.String(s)
}

// quoted is a Go-quoted string in a message (as %q writes it).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// boundQuotes cuts each quoted string of a domain error's message to
// maxQuoted characters: the domain quotes what it was given (an id, a
// date, an enum value), which may be as long as the request.
func boundQuotes(msg string) string {
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if utf8.RuneCountInString(q) <= maxQuoted+2 {
			return q
		}
		return quote(q[1 : len(q)-1])
	})
}

// writeError answers a request outside GraphQL (an export, a transport's
// refusal) with err, its quotes of the client's input bounded as GraphQL's.
func writeError(w http.ResponseWriter, status int, err error) {
	var e *org.Error
	if errors.As(err, &e) {
		bounded := *e
		bounded.Message = boundQuotes(e.Message)
		err = &bounded
	}
	auth.WriteError(w, status, err)
}

// validationMessages word gqlparser's validation errors in Vietnamese: the
// first pattern of the error's rule that matches its English message gives
// the quoted names, in order, to the Vietnamese format; a rule's last entry,
// without a pattern, is its fallback.
var validationMessages = map[string][]viMessage{
	"FieldsOnCorrectType": {
		{`^Cannot query field "(.*?)" on type "(.*?)"`, "Kiểu %[2]s không có trường %[1]s."},
	},
	"FragmentsOnCompositeTypes": {
		{`non composite type "(.*?)"`, "Fragment chỉ đặt được trên kiểu đối tượng, không trên %[1]s."},
	},
	"KnownArgumentNames": {
		{`^Unknown argument "(.*?)" on field "(.*?)"`, "Trường %[2]s không có tham số %[1]s."},
		{`^Unknown argument "(.*?)" on directive "@(.*?)"`, "Chỉ thị @%[2]s không có tham số %[1]s."},
	},
	"KnownDirectives": {
		{`^Unknown directive "@(.*?)"`, "Không có chỉ thị @%[1]s."},
		{`^Directive "@(.*?)" may not be used`, "Chỉ thị @%[1]s không dùng được ở vị trí này."},
	},
	"KnownFragmentNames": {{`^Unknown fragment "(.*?)"`, "Không có fragment %[1]s."}},
	"KnownRootType":      {{`operation type "(.*?)"`, "Dịch vụ không có thao tác loại %[1]s."}},
	"KnownTypeNames":     {{`^Unknown type "(.*?)"`, "Không có kiểu %[1]s."}},
	"LoneAnonymousOperation": {
		{"", "Thao tác không tên phải là thao tác duy nhất của tài liệu."},
	},
	"MaxIntrospectionDepth": {{"", "Truy vấn lược đồ (introspection) lồng quá sâu."}},
	"NoFragmentCycles":      {{`^Cannot spread fragment "(.*?)"`, "Fragment %[1]s tự lồng vào chính nó."}},
	"NoUndefinedVariables":  {{`^Variable "(.*?)" is not defined`, "Biến %[1]s chưa được khai báo trong thao tác."}},
	"NoUnusedFragments":     {{`^Fragment "(.*?)" is never used`, "Fragment %[1]s được khai báo nhưng không được dùng."}},
	"NoUnusedVariables":     {{`^Variable "(.*?)" is never used`, "Biến %[1]s được khai báo nhưng không được dùng."}},
	"OverlappingFieldsCanBeMerged": {
		{`^Fields "(.*?)" conflict`, "Các trường cùng tên %[1]s xung đột nhau: hãy đặt cho chúng bí danh khác nhau."},
	},
	"PossibleFragmentSpreads": {
		{`objects of type "(.*?)" can never be of type "(.*?)"`, "Fragment không áp dụng được ở đây: kiểu %[1]s không bao giờ là kiểu %[2]s."},
	},
	"ProvidedRequiredArguments": {
		{`^Field "(.*?)" argument "(.*?)" of type "(.*?)" is required`, "Trường %[1]s cần tham số %[2]s (kiểu %[3]s)."},
		{`^Directive "@(.*?)" argument "(.*?)" of type "(.*?)" is required`, "Chỉ thị @%[1]s cần tham số %[2]s (kiểu %[3]s)."},
	},
	"ScalarLeafs": {
		{`^Field "(.*?)" must not have a selection`, "Trường %[1]s là một giá trị đơn: không chọn được trường con."},
		{`^Field "(.*?)" of type "(.*?)" must have a selection`, "Trường %[1]s (kiểu %[2]s) cần chọn ít nhất một trường con."},
	},
	"SingleFieldSubscriptions":    {{"", "Một đăng ký chỉ được có đúng một trường gốc."}},
	"UniqueArgumentNames":         {{`named "(.*?)"`, "Tham số %[1]s được truyền hơn một lần."}},
	"UniqueDirectivesPerLocation": {{`directive "@(.*?)"`, "Chỉ thị @%[1]s chỉ dùng được một lần ở mỗi vị trí."}},
	"UniqueFragmentNames":         {{`named "(.*?)"`, "Fragment %[1]s được khai báo hơn một lần."}},
	"UniqueInputFieldNames":       {{`named "(.*?)"`, "Trường %[1]s của giá trị đầu vào được ghi hơn một lần."}},
	"UniqueOperationNames":        {{`named "(.*?)"`, "Thao tác %[1]s được khai báo hơn một lần."}},
	"UniqueVariableNames":         {{`named "(.*?)"`, "Biến %[1]s được khai báo hơn một lần."}},
	"ValuesOfCorrectType": {
		{`^Value "(.*?)" does not exist in "(.*?)" enum`, "Giá trị %[1]s không có trong kiểu liệt kê %[2]s."},
		{`^Enum "(.*?)" cannot represent`, "Giá trị không thuộc kiểu liệt kê %[1]s."},
		{`^Field "(.*?)" of required type "(.*?)" was not provided`, "Thiếu trường bắt buộc %[1]s (kiểu %[2]s)."},
		{`^Field "(.*?)" is not defined by type "(.*?)"`, "Kiểu %[2]s không có trường %[1]s."},
		{`type "(.*?)"`, "Giá trị không đúng kiểu %[1]s."},
		{"", "Giá trị không đúng kiểu của tham số."},
	},
	"VariablesAreInputTypes": {
		{`^Variable "(.*?)" cannot be non-input type "(.*?)"`, "Biến %[1]s không thể có kiểu %[2]s, vốn không phải kiểu đầu vào."},
	},
	"VariablesInAllowedPosition": {
		{`^Variable "(.*?)" of type "(.*?)" used in position expecting type "(.*?)"`, "Biến %[1]s có kiểu %[2]s, nhưng ở vị trí này cần kiểu %[3]s."},
	},
}

type viMessage struct {
	pattern string
	format  string
}

var validationPatterns = func() map[string]*regexp.Regexp {
	res := map[string]*regexp.Regexp{}
	for _, msgs := range validationMessages {
		for _, m := range msgs {
			if m.pattern != "" {
				res[m.pattern] = regexp.MustCompile(m.pattern)
			}
		}
	}
	return res
}()

// translateGraphQLError words in Vietnamese an error gqlgen or gqlparser
// raised in English (a document that does not parse or validate, a
// variable of the wrong type, an operation not found), keeping the English,
// bounded, in extensions.detail for developers. It reports whether err was
// one of those. op is the operation that ran, when known.
func translateGraphQLError(err *gqlerror.Error, op *ast.OperationDefinition) bool {
	code, _ := err.Extensions["code"].(string)
	var msg string
	switch {
	case isVariableError(err):
		msg = variableMessage(err, op)
		code = org.EInvalid
	case code == codeParseFailed:
		msg = "Truy vấn sai cú pháp GraphQL" + at(err) + "."
	case err.Rule != "":
		msg = ruleMessage(err.Rule, err.Message)
		if err.Rule == "ValuesOfCorrectType" {
			code = org.EInvalid
		}
	case code == codeValidationFailed && err.Message == "no operation provided":
		msg = "Yêu cầu không có truy vấn nào: hãy gửi văn bản GraphQL trong trường query."
	case code == codeValidationFailed && strings.HasPrefix(err.Message, "operation ") && strings.HasSuffix(err.Message, " not found"):
		name := strings.TrimSuffix(strings.TrimPrefix(err.Message, "operation "), " not found")
		if name == "" {
			msg = "Tài liệu có nhiều thao tác: hãy chọn một thao tác bằng operationName."
		} else {
			msg = "Tài liệu không có thao tác nào tên " + quote(name) + "."
		}
	case code == codePersistedMissing:
		msg = "Máy chủ chưa lưu truy vấn có mã băm này: hãy gửi kèm văn bản truy vấn."
	default:
		return false
	}
	detail := bound(err.Message, maxDetail)
	for i, p := range err.Path { // a variable's keys are the client's
		if name, ok := p.(ast.PathName); ok {
			err.Path[i] = ast.PathName(bound(string(name), maxQuoted))
		}
	}
	err.Message = msg
	err.Extensions = map[string]any{"code": code, "detail": detail}
	return true
}

// at is where in the document err lies, for its message.
func at(err *gqlerror.Error) string {
	if len(err.Locations) == 0 {
		return ""
	}
	return fmt.Sprintf(" ở dòng %d, cột %d", err.Locations[0].Line, err.Locations[0].Column)
}

// ruleMessage is the Vietnamese of a validation rule's English message.
func ruleMessage(rule, english string) string {
	for _, m := range validationMessages[rule] {
		if m.pattern == "" {
			return m.format
		}
		sub := validationPatterns[m.pattern].FindStringSubmatch(english)
		if sub == nil {
			continue
		}
		args := make([]any, len(sub)-1)
		for i, s := range sub[1:] {
			args[i] = quote(s)
		}
		return fmt.Sprintf(m.format, args...)
	}
	return "Truy vấn không hợp lệ với lược đồ GraphQL của dịch vụ."
}

// enumValue is gqlparser's message for a variable's value that is not one of
// its enum's.
var enumValue = regexp.MustCompile(`^(.*) is not a valid (\w+)$`)

// variableMessage words an error about a variable's value: which variable
// (and where inside it), what type the operation declares, what is wrong.
func variableMessage(err *gqlerror.Error, op *ast.OperationDefinition) string {
	var name string
	if len(err.Path) > 1 {
		if n, ok := err.Path[1].(ast.PathName); ok {
			name = string(n)
		}
	}
	var b strings.Builder
	b.WriteString("Biến " + quote("$"+name))
	if op != nil {
		if def := op.VariableDefinitions.ForName(name); def != nil {
			b.WriteString(" (kiểu " + def.Type.String() + ")")
		}
	}
	if len(err.Path) > 2 {
		b.WriteString(", ở " + quote(ast.Path(err.Path[2:]).String()))
	}
	switch m := err.Message; {
	case m == "must be defined":
		b.WriteString(" là bắt buộc nhưng không được gửi.")
	case m == "cannot be null":
		b.WriteString(" không được là null.")
	case m == "unknown field":
		b.WriteString(" có trường không có trong kiểu.")
	case enumValue.MatchString(m):
		sub := enumValue.FindStringSubmatch(m)
		b.WriteString(" có giá trị " + quote(sub[1]) + " không có trong kiểu liệt kê " + sub[2] + ".")
	default:
		b.WriteString(" có giá trị không đúng kiểu.")
	}
	return b.String()
}
