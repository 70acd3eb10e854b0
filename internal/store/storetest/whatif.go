package storetest

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// quangNinh is the demo's Quảng Ninh province (as the source articles report it).
var quangNinh = sync.OnceValue(func() *demo.Dataset {
	return demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Quảng Ninh")
})

// scenarioFixture is the commune fixture with members: the village has
// four official members, its neighbour three, the school cell two.
func (f *fixture) scenarioFixture() commune {
	c := f.commune()
	for i, cell := range []org.Org{c.village, c.village, c.village, c.village, c.village2, c.village2, c.village2, c.school, c.school} {
		f.createMember(cell.ID, "Đảng viên "+string(rune('A'+i)), org.Official)
	}
	return c
}

func (f *fixture) addOps(id string, ops ...org.Operation) org.Scenario {
	f.t.Helper()
	sc, err := f.scn.AddOperations(f.ctx, id, ops)
	if err != nil {
		f.t.Fatalf("AddScenarioOperations: %v", err)
	}
	return sc
}

func (f *fixture) violationsIn(sc org.Scenario) []org.Violation {
	f.t.Helper()
	found, err := f.svc.Violations(f.ctx, org.View{At: sc.BaseAsOf, Scenario: sc.ID}, sc.Within, true, org.SeverityInfo)
	if err != nil {
		f.t.Fatal(err)
	}
	return found
}

// testScenarioWhatIf: a scenario's operations show in every read that names
// it, and nowhere else; the Charter's findings follow them.
func testScenarioWhatIf(t *testing.T, f *fixture) {
	c := f.scenarioFixture()
	base := on(2021, 1, 15) // the fixture's organisations begin today
	sc, err := f.scn.Create(f.ctx, "Sáp nhập thôn", c.province.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	if sc.BaseAsOf != base || sc.Status != org.ScenarioOpen || sc.Rev != 1 {
		t.Fatalf("created %+v", sc)
	}
	// An operation naming nothing is refused with its index, and nothing is added.
	_, err = f.scn.AddOperations(f.ctx, sc.ID, []org.Operation{
		{Type: org.OpRenameOrg, ID: c.village.ID, Name: "Chi bộ thôn Đông Tây"},
		{Type: org.OpTransferOrg, ID: "o-missing", ParentID: c.commune.ID}})
	wantCode(t, err, org.EInvalid, "")
	if !strings.Contains(org.ErrorMessage(err), "operations[1]") {
		t.Fatalf("message %q does not name operations[1]", org.ErrorMessage(err))
	}
	sc = f.addOps(sc.ID,
		org.Operation{Type: org.OpMergeOrgs, Sources: []string{c.village2.ID}, TargetID: c.village.ID},
		org.Operation{Type: org.OpTransferOrg, ID: c.school.ID, ParentID: c.province.ID})
	if len(sc.Ops) != 2 || sc.Ops[0].Key != 1 || sc.Ops[1].Key != 2 {
		t.Fatalf("ops = %+v", sc.Ops)
	}
	v := org.View{At: today, Scenario: sc.ID}

	school, err := f.svc.Org(f.ctx, v, c.school.ID)
	if err != nil || school.ParentID != c.province.ID {
		t.Fatalf("school in scenario: %+v, %v", school, err)
	}
	if f.org(c.school.ID).ParentID != c.commune.ID {
		t.Fatal("the live structure changed")
	}
	if _, err := f.svc.Org(f.ctx, v, c.village2.ID); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("merged village in scenario: %v", err)
	}
	village, _ := f.svc.Org(f.ctx, v, c.village.ID)
	commune, _ := f.svc.Org(f.ctx, v, c.commune.ID)
	province, _ := f.svc.Org(f.ctx, v, c.province.ID)
	if village.Counts.Official != 7 || commune.Counts.Official != 7 || commune.Counts.ByKind[org.Cell] != 1 ||
		province.Counts.Official != 9 || province.Counts.ByKind[org.Cell] != 3 {
		t.Fatalf("counts: village %+v commune %+v province %+v", village.Counts, commune.Counts, province.Counts)
	}
	page, err := f.svc.CellMembers(f.ctx, v, c.village.ID, org.PageQuery{First: 5})
	if err != nil || page.Total != 7 || len(page.Members) != 5 || !page.HasNext {
		t.Fatalf("village members: %+v, %v", page, err)
	}
	rest, err := f.svc.CellMembers(f.ctx, v, c.village.ID, org.PageQuery{First: 5, After: org.MemberCursor(&page.Members[4])})
	if err != nil || len(rest.Members) != 2 || rest.HasNext {
		t.Fatalf("second page: %+v, %v", rest, err)
	}
	kids, err := f.svc.Children(f.ctx, v, c.province.ID, org.PageQuery{First: 10}, nil)
	if err != nil || kids.Total != 3 || !slices.ContainsFunc(kids.Orgs, func(o org.Org) bool { return o.ID == c.school.ID }) {
		t.Fatalf("province children: %+v, %v", kids, err)
	}
	hits, err := f.svc.Search(f.ctx, v, org.SearchQuery{Text: "truong tieu hoc tam hong", First: 5})
	if err != nil || len(hits) == 0 || hits[0].Org == nil || hits[0].Org.ID != c.school.ID || len(hits[0].Path) != 2 {
		t.Fatalf("search: %+v, %v", hits, err)
	}
	nodes, err := f.svc.ChartNodes(f.ctx, v, org.ChartQuery{RootID: c.province.ID, Depth: -1}, 100)
	if err != nil || len(nodes) != 8 {
		t.Fatalf("chart: %d nodes, %v", len(nodes), err)
	}

	// The cell under the province breaks R5: a finding tied to the operation.
	found := f.violationsIn(sc)
	i := slices.IndexFunc(found, func(x org.Violation) bool { return x.Rule.ID == "R5" && x.Subject == c.school.ID })
	if i < 0 || found[i].OperationKey != 2 {
		t.Fatalf("findings %+v", found)
	}
	diff, err := f.scn.Diff(f.ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]org.NodeChangeKind{}
	for _, n := range diff.Nodes {
		kinds[n.ID] = n.Kinds
	}
	if !slices.Equal(kinds[c.school.ID], []org.NodeChangeKind{org.NodeMoved}) ||
		!slices.Equal(kinds[c.village2.ID], []org.NodeChangeKind{org.NodeEnded}) ||
		!slices.Equal(kinds[c.village.ID], []org.NodeChangeKind{org.NodeMembersChanged}) ||
		// The school's members leave the commune's and the district's subtrees.
		!slices.Equal(kinds[c.commune.ID], []org.NodeChangeKind{org.NodeMembersChanged}) ||
		!slices.Equal(kinds[c.district.ID], []org.NodeChangeKind{org.NodeMembersChanged}) || len(diff.Nodes) != 5 {
		t.Fatalf("diff nodes %+v", kinds)
	}
	if diff.AsIs.Members() != 9 || diff.ToBe.Members() != 9 || diff.AsIs.ByKind[org.Cell] != 4 || diff.ToBe.ByKind[org.Cell] != 3 {
		t.Fatalf("as-is %+v to-be %+v", diff.AsIs, diff.ToBe)
	}
	// R1: the school cell still has two official members wherever it sits;
	// the merged village, three, no longer exists to break anything.
	if !slices.ContainsFunc(diff.Added, func(x org.Violation) bool { return x.Rule.ID == "R5" && x.Subject == c.school.ID }) {
		t.Fatalf("added %+v", diff.Added)
	}

	// Undo and redo; an ERROR finding blocks applying.
	if sc, err = f.scn.Undo(f.ctx, sc.ID); err != nil || len(sc.Ops) != 1 || len(sc.Undone) != 1 {
		t.Fatalf("undo: %+v, %v", sc, err)
	}
	if school, _ := f.svc.Org(f.ctx, v, c.school.ID); school.ParentID != c.commune.ID {
		t.Fatalf("after undo the school is under %s", school.ParentID)
	}
	if sc, err = f.scn.Redo(f.ctx, sc.ID); err != nil || len(sc.Ops) != 2 {
		t.Fatalf("redo: %+v, %v", sc, err)
	}
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.by(c.province.ID).Decision, 0)
	wantCode(t, err, org.ERule, "R5")
	if sc, err = f.scn.RemoveOperation(f.ctx, sc.ID, 2); err != nil || len(sc.Ops) != 1 {
		t.Fatalf("remove: %+v, %v", sc, err)
	}

	// Applied by the province's decision a month later, through the real
	// operations: the history records the merger. The preview must be of
	// that date: applying on another is refused until the scenario is
	// rebased onto it.
	later := on(2021, 2, 1)
	meta := f.byOn(c.province.ID, today)
	_, _, err = f.scn.Apply(f.ctx, sc.ID, meta.Decision, later)
	wantCode(t, err, org.EConflict, "")
	if _, err := f.scn.Rebase(f.ctx, sc.ID, later); err != nil {
		t.Fatal(err)
	}
	applied, changes, err := f.scn.Apply(f.ctx, sc.ID, meta.Decision, later)
	if err != nil {
		t.Fatal(err)
	}
	if applied.Status != org.ScenarioApplied || len(changes) != 1 || changes[0].Type != org.ChangeMerged ||
		changes[0].Decision != meta.Decision || changes[0].EffectiveOn != later {
		t.Fatalf("applied %+v, changes %+v", applied, changes)
	}
	if _, err := f.s.Org(f.ctx, org.View{At: later}, c.village2.ID); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("village2 after: %v", err)
	}
	if o, _ := f.s.Org(f.ctx, org.View{At: later}, c.village.ID); o.Counts.Official != 7 {
		t.Fatalf("village after: %+v", o.Counts)
	}
	if o, _ := f.s.Org(f.ctx, org.View{At: later - 1}, c.village2.ID); o.Counts.Official != 3 {
		t.Fatalf("village2 the day before: %+v", o.Counts)
	}
	hist, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: c.commune.ID, Types: []org.ChangeType{org.ChangeMerged}, First: 10})
	if err != nil || len(hist.Changes) != 1 || hist.Changes[0].Seq != changes[0].Seq {
		t.Fatalf("history %+v, %v", hist, err)
	}
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.by(c.province.ID).Decision, later)
	wantCode(t, err, org.EConflict, "")
	_, err = f.scn.AddOperations(f.ctx, sc.ID, []org.Operation{{Type: org.OpRenameOrg, ID: c.village.ID, Name: "Chi bộ thôn Mới"}})
	wantCode(t, err, org.EConflict, "")
	if _, err := f.svc.ChartNodes(f.ctx, org.View{At: today, Scenario: sc.ID}, org.ChartQuery{RootID: c.province.ID}, 10); org.ErrorCode(err) != org.EConflict {
		t.Fatalf("what-if read of an applied scenario: %v", err)
	}
}

// testScenarioBaseline: applying refuses a scenario whose live records changed
// since its operations read them, until it is rebased; a discarded one is closed.
func testScenarioBaseline(t *testing.T, f *fixture) {
	c := f.scenarioFixture()
	sc, err := f.scn.Create(f.ctx, "Đổi tên", c.commune.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc = f.addOps(sc.ID, org.Operation{Type: org.OpRenameOrg, ID: c.village.ID, Name: "Chi bộ thôn Đông Mới"})
	if _, err := f.svc.RenameOrg(f.ctx, c.village.ID, "Chi bộ thôn Đông Hưng", f.by(c.commune.ID)); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.by(c.commune.ID).Decision, today)
	wantCode(t, err, org.EConflict, "")
	ev, err := f.scn.Rebase(f.ctx, sc.ID, 0)
	if err != nil || len(ev.Results) != 1 || ev.Results[0].Err != nil {
		t.Fatalf("rebase: %+v, %v", ev, err)
	}
	if _, _, err := f.scn.Apply(f.ctx, sc.ID, f.by(c.commune.ID).Decision, today); err != nil {
		t.Fatal(err)
	}
	if f.org(c.village.ID).Name != "Chi bộ thôn Đông Mới" {
		t.Fatalf("village = %q", f.org(c.village.ID).Name)
	}
	// A rebase reports what no longer applies: the cell it renames is gone.
	other, err := f.scn.Create(f.ctx, "Đổi tên thôn Tây", c.commune.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(other.ID, org.Operation{Type: org.OpRenameOrg, ID: c.village2.ID, Name: "Chi bộ thôn Tây Mới"})
	// Not on the day it was established: that would leave nothing of it.
	_, err = f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{MembersTo: c.village.ID}, f.by(c.commune.ID))
	wantCode(t, err, org.EInvalid, "")
	march := on(2021, 3, 1)
	if _, err := f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{MembersTo: c.village.ID}, f.byOn(c.commune.ID, march)); err != nil {
		t.Fatal(err)
	}
	ev, err = f.scn.Rebase(f.ctx, other.ID, march)
	if err != nil || len(ev.Results) != 1 || org.ErrorCode(ev.Results[0].Err) != org.ENotFound {
		t.Fatalf("rebase: %+v, %v", ev, err)
	}
	if _, err := f.scn.Discard(f.ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.scn.Apply(f.ctx, other.ID, f.by(c.commune.ID).Decision, today)
	wantCode(t, err, org.EConflict, "")
}

// scenarioBase is the date scenarios on the demo are based on: after its
// history, which reaches demo.End; an operation dated before a change already
// recorded for later would be refused where it contradicts it.
var scenarioBase = demo.End

// afterDemo is the first day after the demo's history: operations of the
// tests that write into the demo are dated from it.
var afterDemo = demo.End.AddDays(1)

// testAbolishDistrictLevel simulates the 2025 reform on the Quảng Ninh demo:
// the 13 administrative district-level committees end, their grassroots
// organisations move under the province, the 7 blocs and armed-forces
// committees stay, and no member is lost.
func testAbolishDistrictLevel(t *testing.T, f *fixture) {
	if _, err := f.s.Import(f.ctx, quangNinh().Clone().Reader()); err != nil {
		t.Fatal(err)
	}
	v := org.View{At: scenarioBase}
	province := f.orgNamed(v, "Đảng bộ tỉnh Quảng Ninh")
	districts, err := f.s.Children(f.ctx, v, province.ID, org.PageQuery{First: 100}, []org.Kind{org.District})
	if err != nil || districts.Total != 20 {
		t.Fatalf("districts: %d, %v", districts.Total, err)
	}
	var ended, stay []string
	moved := map[string]string{} // grassroots organisation → its district
	for _, d := range districts.Orgs {
		if !d.Sector.IsTerritorial() {
			stay = append(stay, d.ID)
			continue
		}
		ended = append(ended, d.ID)
		kids, err := f.s.Children(f.ctx, v, d.ID, org.PageQuery{First: org.MaxPageSize}, nil)
		if err != nil || kids.HasNext {
			t.Fatal(err)
		}
		for _, k := range kids.Orgs {
			moved[k.ID] = d.ID
		}
	}
	if len(ended) != 13 || len(stay) != 7 {
		t.Fatalf("%d administrative, %d blocs", len(ended), len(stay))
	}
	start := time.Now()
	sc, err := f.scn.Create(f.ctx, "Bỏ cấp huyện", province.ID, scenarioBase)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpFlattenLevel, Kind: org.District, Filter: &org.OrgFilter{Within: province.ID}})
	diff, err := f.scn.Diff(f.ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("create + add + diff: %v", time.Since(start))
	got := map[string][]org.NodeChangeKind{}
	for _, n := range diff.Nodes {
		got[n.ID] = n.Kinds
	}
	for _, id := range ended {
		if !slices.Equal(got[id], []org.NodeChangeKind{org.NodeEnded}) {
			t.Errorf("district %s: %v", id, got[id])
		}
	}
	for _, id := range stay {
		if got[id] != nil {
			t.Errorf("bloc %s changed: %v", id, got[id])
		}
	}
	for id := range moved {
		if !slices.Equal(got[id], []org.NodeChangeKind{org.NodeMoved}) {
			t.Errorf("grassroots %s: %v", id, got[id])
		}
	}
	if len(diff.Nodes) != len(ended)+len(moved) {
		t.Errorf("%d node changes, want %d", len(diff.Nodes), len(ended)+len(moved))
	}
	if diff.AsIs.Members() != diff.ToBe.Members() || diff.AsIs.Official != diff.ToBe.Official ||
		diff.AsIs.Members() != province.Counts.Members() {
		t.Errorf("members %d → %d", diff.AsIs.Members(), diff.ToBe.Members())
	}
	if diff.AsIs.ByKind[org.District] != 20 || diff.ToBe.ByKind[org.District] != 7 ||
		diff.ToBe.ByKind[org.GrassrootsCommittee]+diff.ToBe.ByKind[org.GrassrootsCell] != 727 {
		t.Errorf("kinds %v → %v", diff.AsIs.ByKind, diff.ToBe.ByKind)
	}
	for _, x := range diff.Added {
		if x.Rule.Severity == org.SeverityError {
			t.Errorf("added error %+v", x)
		}
	}
	testTransferWhere(t, f, province.ID)
	testMergeByMapping(t, f, province.ID, ended[0])

	// What-if reads: the province holds the communes directly.
	kids, err := f.svc.Children(f.ctx, org.View{At: scenarioBase, Scenario: sc.ID}, province.ID, org.PageQuery{First: 1}, []org.Kind{org.District})
	if err != nil || kids.Total != 7 {
		t.Fatalf("districts in scenario: %d, %v", kids.Total, err)
	}
	p, err := f.svc.Org(f.ctx, org.View{At: scenarioBase, Scenario: sc.ID}, province.ID)
	if err != nil || int(p.Counts.Children) != 7+len(moved) || p.Counts.Members() != province.Counts.Members() {
		t.Fatalf("province in scenario: %+v, %v", p.Counts, err)
	}
	testBoardAbolishes(t, f, province.ID, stay[0])
}

// testBoardAbolishes is a board's whole flow: simulate the 2025 abolition
// of the district level on 1 July 2025, compare, try it by a bloc's decision
// (R9, nothing written), apply it by the province's: the live structure on
// 1 July is the preview, node for node, and 30 June still reads the old one.
func testBoardAbolishes(t *testing.T, f *fixture, province, bloc string) {
	july, june := on(2025, 7, 1), on(2025, 6, 30)
	chart := func(v org.View) []org.ChartNode {
		t.Helper()
		nodes, err := f.svc.ChartNodes(f.ctx, v, org.ChartQuery{RootID: province, Depth: -1}, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		return nodes
	}
	oldJune := chart(org.View{At: june})
	sc, err := f.scn.Create(f.ctx, "Bỏ cấp huyện từ 1/7/2025", province, july)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpFlattenLevel, Kind: org.District, Filter: &org.OrgFilter{Within: province}})
	diff, err := f.scn.Diff(f.ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	preview := chart(org.View{At: july, Scenario: sc.ID})
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.byOn(bloc, july).Decision, 0)
	wantCode(t, err, org.ERule, "R9")
	if got, _ := f.svc.Scenario(f.ctx, sc.ID); got.Status != org.ScenarioOpen {
		t.Fatalf("after a bloc's decision the scenario is %s", got.Status)
	}
	start := time.Now()
	_, changes, err := f.scn.Apply(f.ctx, sc.ID, f.byOn(province, july).Decision, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("applied: %d changes written in %v (%d nodes changed in the diff)", len(changes), time.Since(start), len(diff.Nodes))
	if len(changes) != len(diff.Nodes) {
		t.Errorf("%d changes for %d changed nodes", len(changes), len(diff.Nodes))
	}
	sameCharts(t, preview, chart(org.View{At: july}))
	sameCharts(t, oldJune, chart(org.View{At: june}))
}

// testMemberRules: the rules members decide run on the live structure and
// on a scenario: R4 for a large cell without a cell committee, R7 for an
// overdue probation, R8 for too many excellent ratings.
func testMemberRules(t *testing.T, f *fixture) {
	c := f.commune()
	var ids []string
	for i := range 9 {
		ids = append(ids, f.createMember(c.village.ID, "Đảng viên "+string(rune('A'+i)), org.Official).ID)
	}
	probationer := f.createMember(c.village2.ID, "Đảng viên dự bị", org.Probationary)
	for i, id := range ids[:6] {
		grade := org.Good
		if i < 2 {
			grade = org.Excellent
		}
		if _, err := f.svc.RecordRating(f.ctx, org.Rating{MemberID: id, Year: 2020, Grade: grade}, f.by(c.commune.ID)); err != nil {
			t.Fatal(err)
		}
	}
	rules := func(found []org.Violation) map[string]string {
		out := map[string]string{}
		for _, v := range found {
			if v.Rule.ID == "R4" || v.Rule.ID == "R7" || v.Rule.ID == "R8" {
				out[v.Rule.ID] = v.Subject
			}
		}
		return out
	}
	found, err := f.svc.Violations(f.ctx, f.now(), c.province.ID, true, org.SeverityInfo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"R4": c.village.ID, "R7": probationer.ID, "R8": c.commune.ID}
	if got := rules(found); !maps.Equal(got, want) {
		t.Fatalf("live: %v, want %v", got, want)
	}
	// Electing a deputy secretary gives the cell its committee; in a
	// scenario, so only there.
	sc, err := f.scn.Create(f.ctx, "Bầu chi ủy", c.commune.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc = f.addOps(sc.ID,
		org.Operation{Type: org.OpAssignRole, MemberID: ids[0], OrgID: c.village.ID, Role: org.Secretary},
		org.Operation{Type: org.OpAssignRole, MemberID: ids[1], OrgID: c.village.ID, Role: org.DeputySecretary})
	if got := rules(f.violationsIn(sc)); got["R4"] != "" || got["R7"] != probationer.ID {
		t.Fatalf("scenario: %v", got)
	}
}

// changedNodes maps each organisation a scenario's diff lists to its change.
func (f *fixture) changedNodes(id string) map[string]org.NodeChange {
	f.t.Helper()
	diff, err := f.scn.Diff(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]org.NodeChange{}
	for _, n := range diff.Nodes {
		out[n.ID] = n
	}
	return out
}

// testTransferWhere: Hạ Long's public-service and enterprise grassroots
// organisations of at most 50 members move to the provincial enterprise bloc.
func testTransferWhere(t *testing.T, f *fixture, province string) {
	v := org.View{At: scenarioBase}
	haLong := f.orgNamed(v, "Đảng bộ thành phố Hạ Long")
	bloc := f.orgNamed(v, "Đảng bộ Khối doanh nghiệp tỉnh Quảng Ninh")
	kids, err := f.s.Children(f.ctx, v, haLong.ID, org.PageQuery{First: org.MaxPageSize}, []org.Kind{org.GrassrootsCommittee, org.GrassrootsCell})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, k := range kids.Orgs {
		if (k.Sector == org.SectorPublicService || k.Sector == org.SectorEnterprise) && k.Counts.Members() <= 50 {
			want[k.ID] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("no small public-service or enterprise organisation in Hạ Long")
	}
	sc, err := f.scn.Create(f.ctx, "Chuyển về khối doanh nghiệp", province, scenarioBase)
	if err != nil {
		t.Fatal(err)
	}
	most := 50
	f.addOps(sc.ID, org.Operation{Type: org.OpTransferWhere, TargetID: bloc.ID, Filter: &org.OrgFilter{Within: haLong.ID,
		Kinds: []org.Kind{org.GrassrootsCommittee, org.GrassrootsCell}, Sectors: []org.Sector{org.SectorPublicService, org.SectorEnterprise}, MaxMembers: &most}})
	got := f.changedNodes(sc.ID)
	for id := range want {
		if n := got[id]; !slices.Equal(n.Kinds, []org.NodeChangeKind{org.NodeMoved}) || n.After.ParentID != bloc.ID {
			t.Errorf("%s: %+v", id, n)
		}
	}
	// Hạ Long and the bloc hold fewer and more members.
	for _, id := range []string{haLong.ID, bloc.ID} {
		if n := got[id]; !slices.Equal(n.Kinds, []org.NodeChangeKind{org.NodeMembersChanged}) || n.MemberDelta == 0 {
			t.Errorf("%s: %+v", id, n)
		}
	}
	if len(got) != len(want)+2 {
		t.Errorf("%d changed, want %d moved and the two committees", len(got), len(want))
	}
}

// testMergeByMapping: two communes of a district merge into a new one, a
// third into a fourth.
func testMergeByMapping(t *testing.T, f *fixture, province, district string) {
	v := org.View{At: scenarioBase}
	kids, err := f.s.Children(f.ctx, v, district, org.PageQuery{First: org.MaxPageSize}, []org.Kind{org.GrassrootsCommittee})
	if err != nil {
		t.Fatal(err)
	}
	var communes []org.Org
	for _, k := range kids.Orgs {
		if k.Sector == org.SectorCommune || k.Sector == org.SectorWard {
			communes = append(communes, k)
		}
	}
	if len(communes) < 4 {
		t.Fatalf("%d communes", len(communes))
	}
	a, b, c, d := communes[0], communes[1], communes[2], communes[3]
	sc, err := f.scn.Create(f.ctx, "Sáp nhập xã", province, scenarioBase)
	if err != nil {
		t.Fatal(err)
	}
	sc = f.addOps(sc.ID, org.Operation{Type: org.OpMergeByMapping, Mapping: []org.MergeMapping{
		{Sources: []string{a.ID, b.ID}, Target: org.MergeTarget{New: &org.NewOrg{ParentID: district, Name: "Đảng bộ xã Hợp Nhất",
			Kind: org.GrassrootsCommittee, Sector: org.SectorCommune}}},
		{Sources: []string{c.ID}, Target: org.MergeTarget{ID: d.ID}}}})
	ev, err := f.scn.Evaluate(f.ctx, sc.ID)
	if err != nil || len(ev.Results) != 1 || ev.Results[0].Err != nil || len(ev.Results[0].Created) != 1 || ev.Results[0].Changes != 2 {
		t.Fatalf("evaluation %+v, %v", ev, err)
	}
	merged := ev.Results[0].Created[0]
	got := f.changedNodes(sc.ID)
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if !slices.Equal(got[id].Kinds, []org.NodeChangeKind{org.NodeEnded}) {
			t.Errorf("%s: %+v", id, got[id])
		}
	}
	if n := got[merged]; !slices.Equal(n.Kinds, []org.NodeChangeKind{org.NodeNew}) || n.MemberDelta != a.Counts.Members()+b.Counts.Members() {
		t.Errorf("new commune: %+v", n)
	}
	after, err := f.svc.Org(f.ctx, org.View{At: scenarioBase, Scenario: sc.ID}, d.ID)
	if err != nil || after.Counts.Members() != c.Counts.Members()+d.Counts.Members() {
		t.Errorf("%q after: %+v, %v", d.Name, after.Counts, err)
	}
}
