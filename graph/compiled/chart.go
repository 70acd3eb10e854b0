package compiled

import (
	"dangbo/graph/model"
	"dangbo/internal/org"
)

// chartNodeType writes ChartNode's fields from what gqlgen's generated
// resolvers read (gqlgen.yml maps the type to model.ChartNode).
var chartNodeType = objectType[*model.ChartNode]{
	name: "ChartNode",
	fields: map[string]func([]byte, *model.ChartNode) []byte{
		"id": func(b []byte, n *model.ChartNode) []byte { return appendString(b, n.ID) },
		"parentId": func(b []byte, n *model.ChartNode) []byte {
			if p := n.ChartParent(); p != nil {
				return appendString(b, *p)
			}
			return append(b, "null"...)
		},
		"name":              func(b []byte, n *model.ChartNode) []byte { return appendString(b, n.Name) },
		"kind":              func(b []byte, n *model.ChartNode) []byte { return append(b, kindNames[n.Kind]...) },
		"sector":            func(b []byte, n *model.ChartNode) []byte { return append(b, sectorNames[n.Sector]...) },
		"depth":             func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.Depth) },
		"childCount":        func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.ChildCount()) },
		"hasChildren":       func(b []byte, n *model.ChartNode) []byte { return appendBool(b, n.HasChildren()) },
		"directMemberCount": func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.DirectMemberCount()) },
		"memberCount":       func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.MemberCount()) },
		"officialCount":     func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.OfficialCount()) },
		"probationaryCount": func(b []byte, n *model.ChartNode) []byte { return appendInt(b, n.ProbationaryCount()) },
	},
}

// chartLinkType writes ChartLink's fields (org.ResidenceLink in gqlgen.yml).
var chartLinkType = objectType[*org.ResidenceLink]{
	name: "ChartLink",
	fields: map[string]func([]byte, *org.ResidenceLink) []byte{
		"from":        func(b []byte, l *org.ResidenceLink) []byte { return appendString(b, l.From) },
		"to":          func(b []byte, l *org.ResidenceLink) []byte { return appendString(b, l.To) },
		"type":        func(b []byte, l *org.ResidenceLink) []byte { return append(b, linkTypeNames[l.Type()]...) },
		"memberCount": func(b []byte, l *org.ResidenceLink) []byte { return appendInt(b, l.Members) },
	},
}

// The enums' values as gqlgen writes them: by their GraphQL name, a value
// without one as an empty string.
var (
	kindNames     = enumNames(org.NumKinds, func(i int) string { return org.Kind(i).String() })
	sectorNames   = enumNames(org.NumSectors, func(i int) string { return org.Sector(i).String() })
	linkTypeNames = enumNames(1, func(int) string { return "RESIDENCE" })
)

// enumNames are the JSON strings of an enum of uint8 values, of which the
// first n have the given names.
func enumNames(n int, name func(int) string) (out [256][]byte) {
	for i := range out {
		out[i] = []byte(`""`)
		if i < n {
			out[i] = appendString(nil, name(i))
		}
	}
	return out
}
