package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// The first read as of a date that is not cached builds the whole structure
// on that date, the most a read can cost. The promise of the cost model: the
// structures a request builds are paid for, datedCost each, so that the dates
// a caller may read at once are bounded by their limit (past the dates the
// cost itself looks subtrees up on, costedDates). The fields come from the
// schema: every field with an argument of type Date, at the root or on a type
// a root field returns by one id, is asked under many aliases on as many
// dates; and every field a page of changes holds, whose dates are the
// changes' own, is asked of a whole page.
func TestDatesCostWhatTheyBuild(t *testing.T) {
	w := newDemoWorld(t, Config{})
	mem, ok := w.s.store.(*memory.Store)
	if !ok {
		t.Fatalf("the test server's store is a %T", w.s.store)
	}
	ctx := org.WithPrincipal(context.Background(), org.System)
	sc, err := w.s.scn.Create(ctx, "Phương án thử", w.district, 0)
	if err != nil {
		t.Fatal(err)
	}
	members, err := w.s.svc.SubtreeMembers(ctx, w.s.svc.Now(), w.district, org.MemberQuery{PageQuery: org.PageQuery{First: 1}, Subtree: true})
	if err != nil || len(members.Members) == 0 {
		t.Fatalf("a member of the district: %v", err)
	}
	// The id each type is reached by, through the root field that returns it.
	ids := map[string]string{"Org": w.district, "Member": members.Members[0].ID, "Scenario": sc.ID}
	s := loadSchema(t)
	roles := []role{
		{"viewer", w.mint("viewer", org.Viewer, w.province), DefaultLimits[org.Viewer].Complexity},
		{"admin", w.mint("admin", org.Admin), DefaultLimits[org.Admin].Complexity},
	}
	// built runs query as each role and checks what it built against what
	// the role may pay for.
	next := org.DateFrom(2001, 1, 1) // dates no earlier request read
	checkAs := func(t *testing.T, roles []role, query func(dates []org.Date) string) (last string) {
		t.Helper()
		for _, role := range roles {
			dates := make([]org.Date, 60)
			for i := range dates {
				dates[i], next = next, next.AddDays(3)
			}
			w.s.token = role.token
			before := mem.StructuresBuilt()
			r := w.s.post(query(dates), nil)
			built := int(mem.StructuresBuilt() - before)
			allowed := costedDates
			if outcome(r) != "COMPLEXITY_LIMIT_EXCEEDED" {
				allowed += role.limit / datedCost
			}
			if built > allowed {
				t.Errorf("%s: %s built %d structures of a date, may pay for %d", role.name, outcome(r), built, allowed)
			}
			last = outcome(r)
		}
		return last
	}
	reached := 0
	for _, typ := range s.Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") || typ == s.Mutation || typ == s.Subscription {
			continue
		}
		for _, f := range typ.Fields {
			for _, a := range f.Arguments {
				if a.Type.Name() != "Date" {
					continue
				}
				root := ""
				if typ != s.Query {
					root = rootOf(s, typ.Name)
					if root == "" || ids[typ.Name] == "" {
						t.Errorf("%s.%s(%s): no root field reaches %s by one id; teach the test", typ.Name, f.Name, a.Name, typ.Name)
						continue
					}
				}
				reached++
				t.Run(typ.Name+"."+f.Name+"("+a.Name+")", func(t *testing.T) {
					checkAs(t, roles, func(dates []org.Date) string {
						var b strings.Builder
						for i, d := range dates {
							fmt.Fprintf(&b, " a%d: %s%s", i, f.Name, arguments(s, f, a.Name, d, ids, w.district))
							b.WriteString(leaves(s, s.Types[f.Type.Name()]))
						}
						if root != "" {
							return fmt.Sprintf("{ %s(id: %q) {%s } }", root, ids[typ.Name], b.String())
						}
						return "{" + b.String() + " }"
					})
				})
			}
		}
	}
	if reached < 10 {
		t.Fatalf("only %d fields with a date reached: the schema's reading is broken", reached)
	}
	// Fields whose date is the data's, read as of each change's date: every
	// field a change holds, to three levels through its subjects' types, in
	// groups, on the largest page of changes a viewer may ask with them.
	viewer := roles[:1]
	// The pages of the type whose changes spread over the most dates.
	spread, dates := "", 0
	for ct := range org.ChangeType(org.NumChangeTypes) {
		p, err := w.s.svc.Changes(ctx, org.ChangeQuery{Types: []org.ChangeType{ct}, First: 400})
		if err != nil {
			t.Fatal(err)
		}
		on := map[org.Date]bool{}
		for _, c := range p.Changes {
			on[c.EffectiveOn] = true
		}
		if len(on) > dates {
			spread, dates = ct.String(), len(on)
		}
	}
	var checkGroup func(t *testing.T, group []string)
	checkGroup = func(t *testing.T, group []string) {
		for _, first := range []int{400, 300, 200, 150, 100, 70, 50, 35, 25, 15, 10, 5} {
			r := checkAs(t, viewer, func([]org.Date) string {
				return fmt.Sprintf("{ changes(within: %q, types: [%s], first: %d) { nodes { seq %s } } }", w.province, spread, first, strings.Join(group, " "))
			})
			if r != "COMPLEXITY_LIMIT_EXCEEDED" {
				return
			}
		}
		if len(group) == 1 {
			t.Errorf("no page of 5 changes with %s is accepted: nothing checked", group[0])
			return
		}
		checkGroup(t, group[:len(group)/2])
		checkGroup(t, group[len(group)/2:])
	}
	for group := range slices.Chunk(oneByOne(s, s.Types["Change"], 3), 4) {
		t.Run("Change "+group[0], func(t *testing.T) { checkGroup(t, group) })
	}
	// A stream replays as much of the history as it may: it earns dates back
	// as it goes, not a page's worth at each change.
	t.Run("subscription", func(t *testing.T) {
		var last int64
		for q := (org.ChangeQuery{First: 500}); ; {
			p, err := w.s.svc.Changes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Changes {
				last = max(last, c.Seq)
			}
			if !p.HasNext {
				break
			}
			q.After = org.ChangeCursor(&p.Changes[len(p.Changes)-1])
		}
		// Renames planned on 100 dates: a replay that reads each as of its own.
		for i := range 100 {
			meta := decidedBy(w.province, fmt.Sprintf("%d-QĐ/TU", 900+i))
			meta.EffectiveOn = today.AddDays(7 * (i + 1))
			if _, err := w.s.svc.RenameOrg(ctx, w.district, fmt.Sprintf("Đảng bộ thành phố Hạ Long (%d)", i), meta); err != nil {
				t.Fatal(err)
			}
		}
		before, start := mem.StructuresBuilt(), time.Now()
		l := w.s.subscribeSSE(roles[0].token, `subscription { changes(after: `+fmt.Sprint(last-150)+`) { seq subjects {
			... on Member { cell { ancestors { id } } } ... on Org { ancestors { id } } } } }`)
		// The renames come last; a change whose reads the budget refused
		// comes with an error and no data.
		for n := 0; n < 100; {
			select {
			case e, ok := <-l.events:
				if !ok {
					t.Fatal("the stream completed")
				}
				if e.Data.Changes.Seq > last || e.Data.Changes.Seq == 0 {
					n++
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the renames did not come")
			}
		}
		built := int(mem.StructuresBuilt() - before)
		if allowed := costedDates + roles[0].limit/datedCost + int(time.Since(start)/streamDateEvery) + 1; built > allowed {
			t.Errorf("a viewer's stream of 100 renames built %d structures of a date, may pay for %d", built, allowed)
		}
	})
}

// role is a caller of the dated-cost test.
type role struct {
	name  string
	token string
	limit int
}

// rootOf is the root field that returns type name given one id, "" if none.
func rootOf(s *ast.Schema, name string) string {
	for _, f := range s.Query.Fields {
		required := slices.DeleteFunc(slices.Clone(f.Arguments), func(a *ast.ArgumentDefinition) bool { return !a.Type.NonNull })
		if f.Type.Name() == name && len(required) == 1 && required[0].Type.Name() == "ID" {
			return f.Name
		}
	}
	return ""
}

// arguments are field f's arguments: the date argument on d, the others
// only when required: an id of within, a search text, a page of one.
func arguments(s *ast.Schema, f *ast.FieldDefinition, date string, d org.Date, ids map[string]string, within string) string {
	var args []string
	for _, a := range f.Arguments {
		switch {
		case a.Name == date:
			args = append(args, fmt.Sprintf("%s: %q", a.Name, d.String()))
		case !a.Type.NonNull || a.DefaultValue != nil:
		case a.Type.Name() == "ID":
			args = append(args, fmt.Sprintf("%s: %q", a.Name, within))
		case a.Type.Name() == "String":
			args = append(args, a.Name+`: "nguyen"`)
		case a.Type.Name() == "Int":
			args = append(args, a.Name+": 1")
		case a.Type.Name() == "Date":
			args = append(args, fmt.Sprintf("%s: %q", a.Name, d.String()))
		case s.Types[a.Type.Name()].Kind == ast.Enum:
			args = append(args, a.Name+": "+s.Types[a.Type.Name()].EnumValues[0].Name)
		}
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// leaves selects the fields of def that are scalars and need no argument,
// the least that makes its resolver read; "" for a scalar def.
func leaves(s *ast.Schema, def *ast.Definition) string {
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		return ""
	case ast.Interface, ast.Union:
		return " { __typename }"
	}
	var out []string
	for _, f := range def.Fields {
		if k := s.Types[f.Type.Name()].Kind; (k == ast.Scalar || k == ast.Enum) && !needsArguments(f) {
			out = append(out, f.Name)
		}
	}
	if len(out) == 0 {
		out = []string{"__typename"}
	}
	return " { " + strings.Join(out, " ") + " }"
}

// oneByOne selects each field of def that needs no argument, one per
// selection, objects' fields (and each possible type's of an interface or a
// union) in turn to depth levels, each with its leaves.
func oneByOne(s *ast.Schema, def *ast.Definition, depth int) []string {
	var out []string
	for _, f := range def.Fields {
		sub := s.Types[f.Type.Name()]
		if needsArguments(f) {
			continue
		}
		out = append(out, f.Name+leaves(s, sub))
		if depth <= 1 {
			continue
		}
		switch sub.Kind {
		case ast.Object:
			for _, inner := range oneByOne(s, sub, depth-1) {
				out = append(out, f.Name+" { "+inner+" }")
			}
		case ast.Interface, ast.Union:
			for _, p := range s.GetPossibleTypes(sub) {
				for _, inner := range oneByOne(s, p, depth-1) {
					out = append(out, f.Name+" { ... on "+p.Name+" { "+inner+" } }")
				}
			}
		}
	}
	return out
}
