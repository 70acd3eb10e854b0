package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"dangbo/internal/org"
)

// The leak oracle: every query field of the schema, and every field nested in
// it to a bounded depth, is asked by callers scoped to one organisation; no
// answer may name an organisation or member outside their scope, and an id
// outside it must answer exactly as an id that does not exist. The queries
// come from the schema, so a new field is checked without a new test.

// leakWorld is the access world with a history that reaches across scopes:
// a member of the bloc linked to the commune's village (then, against R6, to
// its school), a cell moved from the commune to the bloc, the villager on
// the district's committee, a cell right under the district (against R5), a
// scenario of the commune and another one applied by the district's decision,
// and the moved cell and its member rated, with its meetings recorded, by
// its new owner (the agency) later in the year of the move.
type leakWorld struct {
	*accessWorld
	misplaced string // a cell right under the district
	scenario  string
	dates     []org.Date // the dates whose structure a caller may read
}

// The agency's ratings and meetings of the moved cell, as leaks finds them
// (factMarker): of no other organisation or member are they recorded.
var newOwnerFacts = []string{"rating 2021 NOT_COMPLETED", "meetings 2021 366"}

func newLeakWorld(t *testing.T) *leakWorld {
	// The generated queries select everything, far beyond a client's limits.
	unlimited := Limits{Complexity: 1 << 40, Depth: 1000}
	w := &leakWorld{accessWorld: newAccessWorldWith(t, Config{Limits: map[org.AccessRole]Limits{
		org.Viewer: unlimited, org.Officer: unlimited, org.Organiser: unlimited, org.Admin: unlimited}})}
	ctx := org.WithPrincipal(context.Background(), org.System)
	on := func(days int, issuer, number string) org.Meta {
		m := decidedBy(issuer, number)
		m.EffectiveOn = today + org.Date(days)
		return m
	}
	moved, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: w.village2, FullName: "Phạm Thị Tây", Status: org.Official,
		AdmittedOn: org.DateFrom(2012, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.svc.TransferOrg(ctx, w.village2, w.agency, on(1, w.province, "2-QĐ/TU")); err != nil {
		t.Fatal(err)
	}
	for _, r := range []org.Rating{{OrgID: w.village2}, {MemberID: moved.ID}} {
		r.Year, r.Grade = 2021, org.NotCompleted
		if _, err := w.s.svc.RecordRating(ctx, r, on(2, w.agency, "5-QĐ/ĐU")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.s.svc.RecordMeetings(ctx, w.village2, 2021, 366, on(2, w.agency, "5-QĐ/ĐU")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.svc.AssignRole(ctx, w.villager, w.district, org.CommitteeMember, false, on(2, w.province, "3-QĐ/TU")); err != nil {
		t.Fatal(err)
	}
	// What breaks the Charter, as an import may bring: a residence link to
	// the school, which is no village (R6), and a cell right under the
	// district (R5). Findings on them may not name what the caller does not see.
	w.misplaced = org.NewID("o")
	err = w.s.store.Update(ctx, func(tx org.Tx) error {
		m, err := tx.Member(ctx, w.official)
		if err != nil {
			return err
		}
		m.Residences[0].CellID = w.school
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		return tx.PutOrg(ctx, org.OrgRecord{ID: w.misplaced, Versions: []org.Version{{Span: org.Span{Since: today, Until: org.Forever},
			ParentID: w.district, Name: "Chi bộ Ban Quản lý dự án", Kind: org.Cell, Sector: org.SectorAgency}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := w.s.scn.Create(ctx, "Phương án xã", w.commune, today+3)
	if err != nil {
		t.Fatal(err)
	}
	w.scenario = sc.ID
	if _, err := w.s.scn.AddOperations(ctx, sc.ID, []org.Operation{
		{Type: org.OpRenameOrg, ID: w.school, Name: "Chi bộ Trường Tiểu học Tam Hồng"},
		// The commune would become a cell, which may not sit under the district.
		{Type: org.OpChangeOrgKind, ID: w.commune, Kind: org.Cell},
		{Type: org.OpAdmitMember, Admit: &org.NewMember{CellID: w.village, FullName: "Đỗ Thị Hoa", Gender: org.Female,
			Personal: org.Personal{Phone: admittedPhone}}}}); err != nil {
		t.Fatal(err)
	}
	// A scenario of the commune applied by the district's decision.
	applied, err := w.s.scn.Create(ctx, "Đổi tên thôn", w.commune, today+3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.scn.AddOperations(ctx, applied.ID, []org.Operation{
		{Type: org.OpRenameOrg, ID: w.village, Name: "Chi bộ thôn Đông Tam Hồng"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.s.scn.Apply(ctx, applied.ID, org.Decision{Number: "4-QĐ/HU", Date: today, IssuerID: w.district}, today+3); err != nil {
		t.Fatal(err)
	}
	w.s.day.Store(int32(today + 3))
	w.dates = []org.Date{today, today + 1, today + 2, today + 3}
	return w
}

// admittedPhone is the phone number of the member the commune's scenario
// admits: personal data in a scenario's operations.
const admittedPhone = "0987 654 321"

// known is what the admin sees of the world, split by a scope: the ids and
// names of organisations, members and scenarios that lie outside it on every
// date, the ratings and meetings an organisation outside it decided, and the
// personal data of every member, admitted in a scenario too.
type known struct {
	outIDs, outNames []string
	outFacts         []string // factMarker's
	personal         []string
}

func (w *leakWorld) known(t *testing.T, admin, scope string) known {
	in := map[string]bool{}
	everything := map[string]string{} // id → name
	personal := map[string]bool{}
	var roots struct{ Roots []struct{ ID string } }
	w.s.data(w.ask(admin, `{ roots { id } }`, nil), &roots)
	type chart struct {
		OrgChart struct{ Nodes []struct{ ID, Name string } }
	}
	for _, d := range w.dates {
		var inScope chart
		w.s.data(w.ask(admin, `query($id: ID!, $d: Date) { orgChart(rootId: $id, asOf: $d) { nodes { id name } } }`,
			map[string]any{"id": scope, "d": d.String()}), &inScope)
		for _, n := range inScope.OrgChart.Nodes {
			in[n.ID] = true
		}
		for _, root := range roots.Roots {
			var all chart
			w.s.data(w.ask(admin, `query($id: ID!, $d: Date) { orgChart(rootId: $id, asOf: $d) { nodes { id name } } }`,
				map[string]any{"id": root.ID, "d": d.String()}), &all)
			for _, n := range all.OrgChart.Nodes {
				everything[n.ID] = n.Name
				var members struct {
					Org struct {
						Members struct {
							Nodes []struct {
								ID, FullName                     string
								BirthDate, Phone, Email, Address *string
							}
						}
					}
				}
				w.s.data(w.ask(admin, `query($id: ID!, $d: Date) { org(id: $id, asOf: $d) { members(first: 500) {
					nodes { id fullName birthDate phone email address } } } }`, map[string]any{"id": n.ID, "d": d.String()}), &members)
				for _, m := range members.Org.Members.Nodes {
					everything[m.ID] = m.FullName
					if inScope := slices.ContainsFunc(inScope.OrgChart.Nodes, func(o struct{ ID, Name string }) bool { return o.ID == n.ID }); inScope {
						in[m.ID] = true
					}
					for _, p := range []*string{m.BirthDate, m.Phone, m.Email, m.Address} {
						if p != nil && *p != "" {
							personal[*p] = true
						}
					}
				}
			}
		}
	}
	var scenarios struct {
		Scenarios []struct {
			ID, Name string
			Within   struct{ ID string }
		}
	}
	w.s.data(w.ask(admin, `{ scenarios { id name within { id } } }`, nil), &scenarios)
	for _, sc := range scenarios.Scenarios {
		everything[sc.ID] = sc.Name
		in[sc.ID] = in[sc.Within.ID]
	}
	var k known
	inNames := map[string]bool{}
	for id := range in {
		inNames[everything[id]] = true
	}
	for id, name := range everything {
		if !in[id] {
			k.outIDs = append(k.outIDs, id)
			if !inNames[name] { // a name shared with something in scope names nothing
				k.outNames = append(k.outNames, name)
			}
		}
	}
	if !in[w.agency] {
		k.outFacts = newOwnerFacts
	}
	personal[admittedPhone] = true
	for p := range personal {
		k.personal = append(k.personal, p)
	}
	sort.Strings(k.outIDs)
	sort.Strings(k.outNames)
	sort.Strings(k.personal)
	if len(k.outIDs) == 0 || len(in) == 0 {
		t.Fatalf("scope %s: %d inside, nothing outside", scope, len(in))
	}
	return k
}

// loadSchema parses the service's schema files.
func loadSchema(t *testing.T) *ast.Schema {
	files, err := filepath.Glob("../../schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("schema files: %v", err)
	}
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

// selector writes selections of every field of a type reachable within a
// depth, each object type expanded at most twice along a path; fields that
// need arguments get their defaults. It notes each field it selects.
type selector struct {
	s        *ast.Schema
	expanded map[string]int
	covered  map[string]bool // "Type.field"
}

func (g *selector) fields(t *ast.Definition, depth int) string {
	var b strings.Builder
	for _, f := range t.Fields {
		if strings.HasPrefix(f.Name, "__") || needsArguments(f) {
			continue
		}
		if sub := g.selection(g.s.Types[f.Type.Name()], depth); sub != "-" {
			g.covered[t.Name+"."+f.Name] = true
			b.WriteString(f.Name + sub + " ")
		}
	}
	return b.String()
}

func needsArguments(f *ast.FieldDefinition) bool {
	return slices.ContainsFunc(f.Arguments, func(a *ast.ArgumentDefinition) bool { return a.Type.NonNull && a.DefaultValue == nil })
}

// selection is what a field of type def selects: "" for a leaf, "-" for a
// field left out (too deep).
func (g *selector) selection(def *ast.Definition, depth int) string {
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		return ""
	}
	if depth == 0 || g.expanded[def.Name] >= 2 {
		return "-"
	}
	g.expanded[def.Name]++
	defer func() { g.expanded[def.Name]-- }()
	if def.Kind == ast.Object {
		return " { " + g.fields(def, depth-1) + "}"
	}
	b := " { __typename "
	for _, p := range g.s.GetPossibleTypes(def) {
		b += "... on " + p.Name + " { " + g.fields(p, depth-1) + "} "
	}
	return b + "}"
}

// reachable lists every field ("Type.field") of the types an answer to
// Query may hold, those that need arguments below the root aside.
func reachable(s *ast.Schema) []string {
	var out []string
	seen := map[string]bool{}
	todo := []*ast.Definition{s.Query}
	for len(todo) > 0 {
		t := todo[0]
		todo = todo[1:]
		if seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		if t.Kind == ast.Interface || t.Kind == ast.Union {
			todo = append(todo, s.GetPossibleTypes(t)...)
			continue
		}
		for _, f := range t.Fields {
			if strings.HasPrefix(f.Name, "__") || t != s.Query && needsArguments(f) {
				continue
			}
			out = append(out, t.Name+"."+f.Name)
			if def := s.Types[f.Type.Name()]; def.Kind != ast.Scalar && def.Kind != ast.Enum {
				todo = append(todo, def)
			}
		}
	}
	return out
}

// oracleQuery is one generated query with its variables.
type oracleQuery struct {
	field string
	text  string
	vars  map[string]any
	// probe is the variable holding the id asked for, if any.
	probe string
}

// oracleQueries are, for every field of Query, queries selecting all of its
// answer, with each id of ids in turn for its ID arguments (and none, when
// optional), the scenario for its scenario argument, today and date asOf for
// its asOf argument, and a few search texts.
func oracleQueries(s *ast.Schema, ids []string, scenario string, asOf org.Date) (out []oracleQuery, covered map[string]bool) {
	g := &selector{s: s, expanded: map[string]int{}, covered: map[string]bool{}}
	for _, f := range s.Query.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		g.covered["Query."+f.Name] = true
		sel := g.selection(s.Types[f.Type.Name()], 5)
		variants := []map[string]any{{}}
		probe := ""
		var params, args []string
		for _, a := range f.Arguments {
			params = append(params, fmt.Sprintf("$%s: %s", a.Name, a.Type.String()))
			args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
			var values []any
			switch {
			case a.Name == "scenario":
				values = []any{nil, scenario}
			case a.Name == "asOf":
				values = []any{nil, asOf.String()}
			case a.Type.Name() == "ID" && a.Name != "after":
				probe = a.Name
				values = []any{}
				for _, id := range ids {
					values = append(values, id)
				}
				if a.Name == "id" && (f.Name == "scenario" || f.Name == "scenarioDiff") {
					values = append(values, scenario)
				}
				if !a.Type.NonNull {
					values = append(values, nil)
				}
			case a.Type.Name() == "String" && a.Type.NonNull:
				values = []any{"chi bo", "van", "dang bo"}
			case a.Type.Name() == "Date" && a.Type.NonNull:
				values = []any{"2000-01-01"}
			default:
				continue
			}
			var next []map[string]any
			for _, v := range variants {
				for _, x := range values {
					c := maps(v)
					if x != nil {
						c[a.Name] = x
					}
					next = append(next, c)
				}
			}
			variants = next
		}
		text := "{ " + f.Name + sel + " }"
		if len(params) > 0 {
			text = "query(" + strings.Join(params, ", ") + ") { " + f.Name + "(" + strings.Join(args, ", ") + ")" + sel + " }"
		}
		for _, v := range variants {
			if v["scenario"] != nil && v["asOf"] != nil {
				continue // one or the other
			}
			out = append(out, oracleQuery{field: f.Name, text: text, vars: v, probe: probe})
		}
	}
	return out, g.covered
}

func maps(m map[string]any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// factMarker names a rating ({year, rating} in the API, {year, grade} in a
// change's records) or a count of meetings ({year, count}) as newOwnerFacts
// do; "" for any other object.
func factMarker(v map[string]any) string {
	year, ok := v["year"].(float64)
	if !ok {
		return ""
	}
	if grade, ok := cmp.Or(v["rating"], v["grade"]).(string); ok {
		return fmt.Sprintf("rating %d %s", int(year), grade)
	}
	if count, ok := v["count"].(float64); ok {
		return fmt.Sprintf("meetings %d %d", int(year), int(count))
	}
	return ""
}

// leaks lists what answer names of k: ids and names outside the scope, the
// ratings and meetings decided outside it, and personal data when the caller
// may not read it.
func leaks(answer string, k known, personal bool) []string {
	var found []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if m := factMarker(v); m != "" && slices.Contains(k.outFacts, m) {
				found = append(found, m)
			}
			for key, x := range v {
				walk(key)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			for _, id := range k.outIDs {
				if strings.Contains(v, id) {
					found = append(found, "id "+id+" in "+v)
				}
			}
			for _, name := range k.outNames {
				if strings.Contains(v, name) {
					found = append(found, "name "+name+" in "+v)
				}
			}
			if !personal {
				for _, p := range k.personal {
					if strings.Contains(v, p) {
						found = append(found, "personal "+p+" in "+v)
					}
				}
			}
		}
	}
	var v any
	if err := json.Unmarshal([]byte(answer), &v); err != nil {
		return []string{err.Error()}
	}
	walk(v)
	return found
}

// TestLeakOracle: every query the schema allows, asked by a viewer and an
// officer of the commune, of the district, of the bloc and of a cell, names nothing outside their
// scope, and answers for an id outside it exactly as for one that does not exist.
func TestLeakOracle(t *testing.T) {
	w := newLeakWorld(t)
	schema := loadSchema(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	// The queries reach every field an answer may hold.
	_, covered := oracleQueries(schema, nil, w.scenario, w.dates[0])
	for _, f := range reachable(schema) {
		if !covered[f] {
			t.Errorf("no query selects %s", f)
		}
	}
	for _, scope := range []string{w.commune, w.district, w.bloc, w.misplaced} {
		k := w.known(t, admin, scope)
		probes := append(slices.Clone(k.outIDs), w.village, w.village2, w.school, w.villager, scope)
		queries, _ := oracleQueries(schema, probes, w.scenario, w.dates[0])
		for _, role := range []org.AccessRole{org.Viewer, org.Officer} {
			token := w.mint([]org.AccessRole{role}, scope)
			for _, q := range queries {
				answer := echoless(mustJSON(w.ask(token, q.text, q.vars)), q)
				if found := leaks(answer, k, role == org.Officer); len(found) > 0 {
					t.Errorf("%s of %s: %s %v names what lies outside:\n  %s", role, scope, q.field, q.vars,
						strings.Join(compact(found), "\n  "))
				}
				// An id outside the scope answers as one that does not exist.
				id, _ := q.vars[q.probe].(string)
				if !slices.Contains(k.outIDs, id) {
					continue
				}
				missing := oracleQuery{field: q.field, text: q.text, vars: maps(q.vars), probe: q.probe}
				missing.vars[q.probe] = id[:1] + strings.Repeat("0", len(id)-1)
				if want := echoless(mustJSON(w.ask(token, q.text, missing.vars)), missing); answer != want {
					t.Errorf("%s of %s: %s(%s: outside) answers otherwise than for a missing id:\n  outside: %.400s\n  missing: %.400s",
						role, scope, q.field, q.probe, answer, want)
				}
			}
		}
	}
}

// echoless is answer to q with the ids q asked for replaced by "ID": they are
// the caller's own, and an answer may repeat them.
func echoless(answer []byte, q oracleQuery) string {
	s := string(answer)
	for _, asked := range []any{q.vars[q.probe], q.vars["scenario"]} {
		if asked, ok := asked.(string); ok && asked != "" {
			s = strings.ReplaceAll(s, asked, "ID")
		}
	}
	return s
}

// compact sorts found and drops repeats, so that one leak reads once.
func compact(found []string) []string {
	sort.Strings(found)
	return slices.Compact(found)
}

// TestHistoryTrimmedToScope: the history read of issue 14's first hole. A
// viewer of the commune sees the changes that touched it, but not the bloc's
// member linked to its village, nor the bloc that took its cell, nor who
// above it decided; the villager's record stays, their seat on the
// district's committee masked. The bloc's officer sees their member with
// personal data, the village they live in masked.
func TestHistoryTrimmedToScope(t *testing.T) {
	w := newLeakWorld(t)
	const query = `{ changes(types: [RESIDENCE_SET, TRANSFERRED, ROLE_ASSIGNED]) {
		nodes { type decision { issuerId issuer { id } } before after } } }`
	type record struct {
		Org *struct {
			ID       string
			Versions []struct{ ParentID string }
		}
		Member *struct {
			ID         string
			Residences []struct{ CellID string }
			Roles      []struct{ OrgID string }
			Personal   struct{ Phone string }
		}
	}
	type answer struct {
		Changes struct {
			Nodes []struct {
				Type     string
				Decision struct {
					IssuerID *string
					Issuer   *struct{ ID string }
				}
				Before, After []record
			}
		}
	}
	r := w.ask(w.mint([]org.AccessRole{org.Viewer}, w.commune), query, nil)
	var got answer
	w.s.data(r, &got)
	for _, outside := range []string{w.province, w.district, w.bloc, w.agency, w.agencyCell, w.official, "Lê Văn Cường", "0912"} {
		if strings.Contains(string(r.Data), outside) {
			t.Errorf("the commune's viewer reads %q in %s", outside, r.Data)
		}
	}
	if len(got.Changes.Nodes) != 3 {
		t.Fatalf("the commune's viewer sees %d changes, want 3: %s", len(got.Changes.Nodes), r.Data)
	}
	for _, c := range got.Changes.Nodes {
		if c.Decision.IssuerID != nil || c.Decision.Issuer != nil {
			t.Errorf("%s: the issuer above the commune shows: %s", c.Type, r.Data)
		}
		switch c.Type {
		case "RESIDENCE_SET":
			if len(c.Before)+len(c.After) != 0 {
				t.Errorf("the bloc's member shows: %s", r.Data)
			}
		case "TRANSFERRED":
			if len(c.After) != 1 || c.After[0].Org == nil || c.After[0].Org.ID != w.village2 {
				t.Fatalf("the cell moved out is missing: %s", r.Data)
			}
			vs := c.After[0].Org.Versions
			if len(vs) != 2 || vs[0].ParentID != w.commune || vs[1].ParentID != "" {
				t.Errorf("the cell's parents: %+v", vs)
			}
		case "ROLE_ASSIGNED":
			if len(c.After) != 1 || c.After[0].Member == nil || c.After[0].Member.ID != w.villager ||
				len(c.After[0].Member.Roles) != 1 || c.After[0].Member.Roles[0].OrgID != "" {
				t.Errorf("the villager's record: %s", r.Data)
			}
		}
	}

	r = w.ask(w.mint([]org.AccessRole{org.Officer}, w.bloc), query, nil)
	got = answer{}
	w.s.data(r, &got)
	if len(got.Changes.Nodes) != 2 { // the cell it took, and its member's residence
		t.Fatalf("the bloc's officer sees %s", r.Data)
	}
	for _, c := range got.Changes.Nodes {
		if c.Type != "RESIDENCE_SET" {
			continue
		}
		if deref(c.Decision.IssuerID) != w.agency || len(c.After) != 1 || c.After[0].Member == nil {
			t.Fatalf("the residence set in the bloc: %s", r.Data)
		}
		m := c.After[0].Member
		if m.ID != w.official || m.Personal.Phone == "" || len(m.Residences) != 1 || m.Residences[0].CellID != "" {
			t.Errorf("the bloc's member as its officer sees them: %+v", m)
		}
	}
}

// TestScenarioReplayServesEveryCaller: issue 14's third hole. A scenario of
// the commune renames its school and dissolves a village cell, which a live
// transfer then hands to the bloc. Whoever reads the scenario first after a
// live write, every caller sees the same replay: the rename applied, the
// dissolution not (the cell is no longer in the scenario's subtree), and the
// commune's viewer nothing of the bloc's cell or its member.
func TestScenarioReplayServesEveryCaller(t *testing.T) {
	w := newAccessWorld(t)
	w.s.day.Store(int32(later))
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: w.village2, FullName: "Trần Thị Bình",
		Status: org.Official, AdmittedOn: org.DateFrom(2010, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	admin := w.mint([]org.AccessRole{org.Admin})
	viewer := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(admin, `mutation($c: ID!) { createScenario(name: "Thôn", within: $c) { id } }`,
		map[string]any{"c": w.commune}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.ask(admin, `mutation($id: ID!, $s: ID!, $v: ID!, $v2: ID!) { addScenarioOperations(id: $id, operations: [
		{renameOrg: {id: $s, name: "Chi bộ Trường Tiểu học Tam Hồng"}}, {dissolveOrg: {id: $v2, membersTo: $v}}]) { id } }`,
		map[string]any{"id": id, "s": w.school, "v": w.village, "v2": w.village2}), &struct{}{})

	const read = `query($id: ID!, $c: ID!) {
		scenario(id: $id) { operations { type applied errorCode } }
		scenarioDiff(id: $id) { nodes { id changes } }
		org(id: $c, scenario: $id) { children { nodes { id name members { nodes { fullName } } } } } }`
	vars := map[string]any{"id": id, "c": w.commune}
	const want = `{"scenario":{"operations":[{"type":"RENAME_ORG","applied":true,"errorCode":null},` +
		`{"type":"DISSOLVE_ORG","applied":false,"errorCode":"NOT_FOUND"}]}`
	// Each live write makes the next read replay the scenario: first the
	// transfer, then a rename in the bloc.
	writes := []func() error{
		func() error {
			_, err := w.s.svc.TransferOrg(ctx, w.village2, w.agency, decidedBy(w.province, "10-QĐ/TU"))
			return err
		},
		func() error {
			_, err := w.s.svc.RenameOrg(ctx, w.agencyCell, "Chi bộ Phòng Ngân sách tỉnh", decidedBy(w.agency, "11-QĐ/ĐU"))
			return err
		},
	}
	check := func(who string, r *gqlResponse) {
		t.Helper()
		if len(r.Errors) > 0 || !strings.HasPrefix(string(r.Data), want) || !strings.Contains(string(r.Data), `"changes":["RENAMED"]`) {
			t.Errorf("%s reads %s %+v", who, r.Data, r.Errors)
		}
		for _, outside := range []string{w.village2, "Trần Thị Bình", w.agency, w.bloc} {
			if strings.Contains(string(r.Data), outside) {
				t.Errorf("%s reads %q of the bloc in %s", who, outside, r.Data)
			}
		}
	}
	for i, order := range [][]string{{"viewer", "admin"}, {"admin", "viewer"}} {
		if err := writes[i](); err != nil {
			t.Fatal(err)
		}
		for _, who := range order {
			check(who+" after "+order[0], w.ask(map[string]string{"viewer": viewer, "admin": admin}[who], read, vars))
		}
	}
}

// TestScenarioDraftNeedsTheOperationsRights: a scenario replays with every
// right inside its subtree, so drafting checks the editor's: an organiser
// may not draft an admission, which an admin may, and everyone then reads
// the admission applied.
func TestScenarioDraftNeedsTheOperationsRights(t *testing.T) {
	w := newAccessWorld(t)
	organiser := w.mint([]org.AccessRole{org.Organiser}, w.commune)
	admin := w.mint([]org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.ask(organiser, `mutation($c: ID!) { createScenario(name: "Kết nạp", within: $c) { id } }`,
		map[string]any{"c": w.commune}), &created)
	add := `mutation($id: ID!, $c: ID!) { addScenarioOperations(id: $id, operations: [
		{admitMember: {cellId: $c, fullName: "Phạm Văn Mới", gender: MALE}}]) { operations { applied } } }`
	vars := map[string]any{"id": created.CreateScenario.ID, "c": w.village}
	if r := w.ask(organiser, add, vars); outcome(r) != org.EForbidden || !strings.Contains(r.Errors[0].Message, "operations[0]") {
		t.Fatalf("an organiser drafts an admission: %s %+v", r.Data, r.Errors)
	}
	w.s.data(w.ask(admin, add, vars), &struct{}{})
	r := w.ask(organiser, `query($id: ID!) { scenario(id: $id) { operations { type applied } } }`, vars)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `{"type":"ADMIT_MEMBER","applied":true}`) {
		t.Fatalf("the organiser reads %s %+v", r.Data, r.Errors)
	}
}

// TestHistoryCutAtTheChangeDate: a change recorded after later ones (here a
// back-dated rename) carries the record as it was then known, later versions
// included; a caller scoped to where the record was on the change's date
// reads it as it stood on that date, not what it became outside their scope.
func TestHistoryCutAtTheChangeDate(t *testing.T) {
	w := newLeakWorld(t)
	ctx := org.WithPrincipal(context.Background(), org.System)
	later := decidedBy(w.agency, "20-QĐ/ĐU")
	later.EffectiveOn = today + 5 // the cell left the commune on today + 1
	if _, err := w.s.svc.RenameOrg(ctx, w.village2, "Chi bộ Cơ quan Mật", later); err != nil {
		t.Fatal(err)
	}
	back := decidedBy(w.commune, "21-QĐ/ĐU")
	back.EffectiveOn = today
	if _, err := w.s.svc.RenameOrg(ctx, w.village2, "Chi bộ thôn Hai Mới", back); err != nil {
		t.Fatal(err)
	}
	r := w.ask(w.mint([]org.AccessRole{org.Viewer}, w.commune), `{ changes(types: [RENAMED]) { nodes { effectiveOn after } } }`, nil)
	if !strings.Contains(string(r.Data), "Chi bộ thôn Hai Mới") {
		t.Fatalf("the commune's viewer does not see the rename of its cell: %s", r.Data)
	}
	if strings.Contains(string(r.Data), "Mật") {
		t.Errorf("the commune's viewer reads the cell's name from after it left: %s", r.Data)
	}
}

// TestSameDayChangesOfTheNewOwner: on the day a cell leaves the commune, the
// change that moves it is the commune's to read, but what its new owner does
// with it that same day is not: the commune's viewer neither lists the
// rename nor reads the name it gave.
func TestSameDayChangesOfTheNewOwner(t *testing.T) {
	w := newLeakWorld(t)
	ctx := org.WithPrincipal(context.Background(), org.System)
	sameDay := decidedBy(w.agency, "22-QĐ/ĐU")
	sameDay.EffectiveOn = today + 1 // the day the cell left the commune
	if _, err := w.s.svc.RenameOrg(ctx, w.village2, "Chi bộ Cơ quan Kín", sameDay); err != nil {
		t.Fatal(err)
	}
	viewer := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	r := w.ask(viewer, `{ changes(first: 300) { nodes { type effectiveOn subjects { __typename } before after } } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"TRANSFERRED"`) {
		t.Fatalf("the commune's viewer does not read its cell leave: %s %+v", r.Data, r.Errors)
	}
	if strings.Contains(string(r.Data), "Kín") || strings.Contains(string(r.Data), `{"type":"RENAMED","effectiveOn":"`+(today+1).String()+`"`) {
		t.Errorf("the commune's viewer reads what the new owner did the same day: %s", r.Data)
	}
}

// TestHistoryOnlyWhatConcernsTheScope: the outside tester's holes. A viewer of
// the commune may name its cell that leaves it on a later date, but does not
// list what the cell's new owner does with it afterwards; nor a change of a
// member of the bloc who only lives in the commune's village, when it does
// not touch where they live. Listed or streamed, a change whose records and
// subjects all lie outside the caller's scope on its date is not theirs.
func TestHistoryOnlyWhatConcernsTheScope(t *testing.T) {
	w := newLeakWorld(t)
	ctx := org.WithPrincipal(context.Background(), org.System)
	// The world's today is today + 3: the village leaves on today + 5, and
	// the agency renames it on today + 6.
	moved := decidedBy(w.province, "29-QĐ/TU")
	moved.EffectiveOn = today + 5
	if _, err := w.s.svc.TransferOrg(ctx, w.village, w.agency, moved); err != nil {
		t.Fatal(err)
	}
	renamed := decidedBy(w.agency, "30-QĐ/ĐU")
	renamed.EffectiveOn = today + 6
	if _, err := w.s.svc.RenameOrg(ctx, w.village, "Chi bộ Cơ quan Riêng", renamed); err != nil {
		t.Fatal(err)
	}
	role := decidedBy(w.bloc, "31-QĐ/ĐU")
	if _, err := w.s.svc.AssignRole(ctx, w.official, w.agency, org.CommitteeMember, false, role); err != nil {
		t.Fatal(err)
	}
	viewer := w.mint([]org.AccessRole{org.Viewer}, w.commune)
	for _, q := range []string{
		`query($id: ID!) { changes(within: $id, first: 500) { nodes { type effectiveOn decision { number } } } }`,
		`query($id: ID!) { org(id: $id) { id } changes(first: 500) { nodes { type effectiveOn decision { number } } } }`,
	} {
		r := w.ask(viewer, q, map[string]any{"id": w.village})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", q, r.Errors)
		}
		for _, number := range []string{"30-QĐ/ĐU", "31-QĐ/ĐU"} {
			if strings.Contains(string(r.Data), number) {
				t.Errorf("%s: the commune's viewer lists %s, which concerns nothing of theirs: %s", q, number, r.Data)
			}
		}
	}
}
