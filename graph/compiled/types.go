package compiled

import (
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"dangbo/graph/model"
	"dangbo/internal/org"
)

// types are the object types the lists hold, each field read as gqlgen's
// generated code reads it (gqlgen.yml maps the types); a field with a
// resolver of its own is left out, so that a selection of it falls back to
// gqlgen.
type types struct {
	chartNode  *objectType[*model.ChartNode]
	chartLink  *objectType[*org.ResidenceLink]
	member     *objectType[*model.Member]
	memberEdge *objectType[*model.MemberEdge]
	change     *objectType[*model.Change]
	changeEdge *objectType[*model.ChangeEdge]
}

func newTypes(schema *ast.Schema) types {
	var t types
	t.chartNode = object(schema, "ChartNode", map[string]func(*writer, *model.ChartNode){
		"id": func(w *writer, n *model.ChartNode) { w.string(n.ID) },
		"parentId": func(w *writer, n *model.ChartNode) {
			if p := n.ChartParent(); p != nil {
				w.string(*p)
			} else {
				w.b = append(w.b, "null"...)
			}
		},
		"name":              func(w *writer, n *model.ChartNode) { w.string(n.Name) },
		"kind":              func(w *writer, n *model.ChartNode) { w.enum(kindNames, uint8(n.Kind)) },
		"sector":            func(w *writer, n *model.ChartNode) { w.enum(sectorNames, uint8(n.Sector)) },
		"depth":             func(w *writer, n *model.ChartNode) { w.int(int64(n.Depth)) },
		"childCount":        func(w *writer, n *model.ChartNode) { w.int(int64(n.ChildCount())) },
		"hasChildren":       func(w *writer, n *model.ChartNode) { w.bool(n.HasChildren()) },
		"directMemberCount": func(w *writer, n *model.ChartNode) { w.int(int64(n.DirectMemberCount())) },
		"memberCount":       func(w *writer, n *model.ChartNode) { w.int(int64(n.MemberCount())) },
		"officialCount":     func(w *writer, n *model.ChartNode) { w.int(int64(n.OfficialCount())) },
		"probationaryCount": func(w *writer, n *model.ChartNode) { w.int(int64(n.ProbationaryCount())) },
	})
	t.chartLink = object(schema, "ChartLink", map[string]func(*writer, *org.ResidenceLink){
		"from":        func(w *writer, l *org.ResidenceLink) { w.string(l.From) },
		"to":          func(w *writer, l *org.ResidenceLink) { w.string(l.To) },
		"type":        func(w *writer, l *org.ResidenceLink) { w.enum(linkTypeNames, uint8(l.Type())) },
		"memberCount": func(w *writer, l *org.ResidenceLink) { w.int(int64(l.Members)) },
	})

	yearRating := object(schema, "YearRating", map[string]func(*writer, *org.YearRating){
		"year":   func(w *writer, r *org.YearRating) { w.int(int64(r.Year)) },
		"rating": func(w *writer, r *org.YearRating) { w.enum(gradeNames, uint8(r.Grade)) },
	})
	t.member = object(schema, "Member", map[string]func(*writer, *model.Member){
		"id":         func(w *writer, m *model.Member) { w.string(m.ID) },
		"fullName":   func(w *writer, m *model.Member) { w.string(m.FullName) },
		"gender":     func(w *writer, m *model.Member) { w.enum(genderNames, uint8(m.Gender)) },
		"status":     func(w *writer, m *model.Member) { w.enum(statusNames, uint8(m.Status)) },
		"asOf":       func(w *writer, m *model.Member) { w.date(m.At) },
		"admittedOn": func(w *writer, m *model.Member) { w.date(m.AdmittedOn) },
		"officialOn": func(w *writer, m *model.Member) {
			if m.OfficialOn != nil {
				w.date(*m.OfficialOn)
			} else {
				w.b = append(w.b, "null"...)
			}
		},
		"politicalTheory": func(w *writer, m *model.Member) { w.enum(theoryNames, uint8(m.Theory)) },
	})
	t.member.objects["ratings"] = many[*model.Member, org.YearRating]{
		get: func(m *model.Member) []org.YearRating { return m.Ratings }, typ: yearRating}
	t.memberEdge = object(schema, "MemberEdge", map[string]func(*writer, *model.MemberEdge){
		"cursor": func(w *writer, e *model.MemberEdge) { w.string(e.Cursor()) },
	})
	t.memberEdge.objects["node"] = one[*model.MemberEdge, *model.Member]{
		get: func(e *model.MemberEdge) (*model.Member, bool) { return e.Node, e.Node != nil }, typ: t.member}

	decision := object(schema, "Decision", map[string]func(*writer, *org.Decision){
		"number": func(w *writer, d *org.Decision) { w.string(d.Number) },
		"date":   func(w *writer, d *org.Decision) { w.date(d.Date) },
	})
	t.change = object(schema, "Change", map[string]func(*writer, *model.Change){
		"seq":         func(w *writer, c *model.Change) { w.int(c.Seq) },
		"type":        func(w *writer, c *model.Change) { w.enum(changeTypeNames, uint8(c.Type)) },
		"effectiveOn": func(w *writer, c *model.Change) { w.date(c.EffectiveOn) },
		"note":        func(w *writer, c *model.Change) { w.string(c.Note) },
		"actor":       func(w *writer, c *model.Change) { w.string(c.Actor) },
		"recordedAt":  func(w *writer, c *model.Change) { w.time(c.RecordedAt) },
	})
	t.change.objects["decision"] = one[*model.Change, *org.Decision]{
		get: func(c *model.Change) (*org.Decision, bool) { return &c.Decision, true }, typ: decision}
	t.changeEdge = object(schema, "ChangeEdge", map[string]func(*writer, *model.ChangeEdge){
		"cursor": func(w *writer, e *model.ChangeEdge) { w.string(e.Cursor()) },
	})
	t.changeEdge.objects["node"] = one[*model.ChangeEdge, *model.Change]{
		get: func(e *model.ChangeEdge) (*model.Change, bool) { return e.Node, e.Node != nil }, typ: t.change}
	return t
}

// object is the object type name of the schema with the given scalar and
// enum fields: it satisfies itself and what the schema says it implements
// or belongs to.
func object[T any](schema *ast.Schema, name string, leaves map[string]func(*writer, T)) *objectType[T] {
	implements := []string{name}
	if def := schema.Types[name]; def != nil {
		for _, d := range schema.GetImplements(def) {
			implements = append(implements, d.Name)
		}
	}
	return &objectType[T]{name: name, implements: implements, leaves: leaves, objects: map[string]nested[T]{}}
}

func (w *writer) string(s string) { w.b = appendString(w.b, s) }
func (w *writer) int(i int64)     { w.b = strconv.AppendInt(w.b, i, 10) }
func (w *writer) bool(v bool)     { w.b = strconv.AppendBool(w.b, v) }

// enum writes an enum value by its name in names.
func (w *writer) enum(names *[256][]byte, v uint8) { w.b = append(w.b, names[v]...) }

// date writes a Date as model.MarshalDate does: quoted, with nothing to
// escape.
func (w *writer) date(d org.Date) {
	w.b = append(d.AppendText(append(w.b, '"')), '"')
}

// time writes a Time as graphql.MarshalTime does; gqlgen writes a zero time
// as null, an error in a non-null field, so the list fails.
func (w *writer) time(t time.Time) {
	if t.IsZero() {
		w.failed = true
		return
	}
	w.b = append(t.AppendFormat(append(w.b, '"'), time.RFC3339Nano), '"')
}

// The enums' values as gqlgen writes them: by their GraphQL name, a value
// without one as an empty string.
var (
	kindNames       = enumNames[org.Kind]()
	sectorNames     = enumNames[org.Sector]()
	genderNames     = enumNames[org.Gender]()
	statusNames     = enumNames[org.MemberStatus]()
	theoryNames     = enumNames[org.Theory]()
	gradeNames      = enumNames[org.Grade]()
	changeTypeNames = enumNames[org.ChangeType]()
	linkTypeNames   = func() *[256][]byte {
		var out [256][]byte
		for i := range out {
			out[i] = []byte(`""`)
		}
		out[org.ResidenceLinkType] = appendString(nil, "RESIDENCE")
		return &out
	}()
)

// enumNames are the JSON strings of an enum's 256 values: the name of each
// value that has one in the domain (its text form), which is its GraphQL
// name, and "" for the others, as gqlgen's generated maps give.
func enumNames[E interface {
	~uint8
	MarshalText() ([]byte, error)
}]() *[256][]byte {
	var out [256][]byte
	for i := range out {
		out[i] = []byte(`""`)
		if name, err := E(i).MarshalText(); err == nil {
			out[i] = appendString(nil, string(name))
		}
	}
	return &out
}
