package storetest

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testScenarioTrust: what a board previews is what applying writes, or it is
// refused with a reason and writes nothing.
func testScenarioTrust(t *testing.T, f *fixture) {
	c := f.scenarioFixture()

	// An operation outside the scenario's subtree names nothing in it.
	sc, err := f.scn.Create(f.ctx, "Trong xã", c.commune.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.scn.AddOperations(f.ctx, sc.ID, []org.Operation{
		{Type: org.OpRenameOrg, ID: c.village.ID, Name: "Chi bộ thôn Đông Mới"},
		{Type: org.OpRenameOrg, ID: c.province.ID, Name: "Đảng bộ tỉnh Khác"}})
	wantCode(t, err, org.EInvalid, "")
	if !strings.Contains(err.Error(), "operations[1]") {
		t.Fatalf("the refusal does not name the operation: %v", err)
	}

	// A finding is reported once, with the operation that caused it.
	sc = f.addOps(sc.ID, org.Operation{Type: org.OpTransferOrg, ID: c.school.ID, ParentID: c.village.ID})
	diff, err := f.scn.Diff(f.ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var school []org.Violation
	for _, v := range diff.Added {
		if v.Subject == c.school.ID && v.Rule.ID == "R5" {
			school = append(school, v)
		}
	}
	if len(school) != 1 || school[0].OperationKey != sc.Ops[0].Key || strings.Contains(school[0].Message, c.school.ID) {
		t.Fatalf("R5 of the school: %+v", school)
	}
	added, existing, err := f.scn.Findings(f.ctx, sc.ID, org.SeverityInfo)
	if err != nil || len(added) == 0 || added[0].Subject != c.school.ID {
		t.Fatalf("added %+v, existing %+v, %v", added, existing, err)
	}
	for _, v := range existing {
		if v.Subject == c.school.ID && v.Rule.ID == "R5" {
			t.Fatalf("the scenario's own finding is listed as existing: %+v", v)
		}
	}

	// Refused applies write nothing and leave the scenario open.
	before := exportJSON(t, f)
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.by(c.district.ID).Decision, 0)
	wantCode(t, err, org.ERule, "R5")
	if sc, err = f.scn.RemoveOperation(f.ctx, sc.ID, sc.Ops[0].Key); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.scn.Apply(f.ctx, sc.ID, org.Decision{}, 0)
	wantCode(t, err, org.EInvalid, "")
	if !bytes.Equal(before, exportJSON(t, f)) {
		t.Fatal("a refused apply changed the store")
	}

	// A bulk operation ordered by a committee that is not above every part
	// (a bloc's decision flattening the districts) is R9, not an APPLIED
	// that writes nothing.
	feb := on(2021, 2, 1) // the fixture's organisations begin today
	flat, err := f.scn.Create(f.ctx, "Bỏ cấp huyện", c.province.ID, feb)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(flat.ID, org.Operation{Type: org.OpFlattenLevel, Kind: org.District, Filter: &org.OrgFilter{Within: c.province.ID}})
	_, _, err = f.scn.Apply(f.ctx, flat.ID, f.byOn(c.bloc.ID, feb).Decision, 0)
	wantCode(t, err, org.ERule, "R9")
	if strings.Contains(err.Error(), c.bloc.ID) || strings.Contains(err.Error(), c.province.ID) {
		t.Fatalf("the refusal names ids: %v", err)
	}
	if got, _ := f.svc.Scenario(f.ctx, flat.ID); got.Status != org.ScenarioOpen {
		t.Fatalf("after a refused apply the scenario is %s", got.Status)
	}
	if !bytes.Equal(before, exportJSON(t, f)) {
		t.Fatal("a refused apply changed the store")
	}
	// On another date than its preview's it is refused too; by the
	// province on its date it writes what the preview showed.
	_, _, err = f.scn.Apply(f.ctx, flat.ID, f.byOn(c.province.ID, feb).Decision, on(2021, 3, 1))
	wantCode(t, err, org.EConflict, "")
	preview, err := f.svc.ChartNodes(f.ctx, org.View{At: feb, Scenario: flat.ID}, org.ChartQuery{RootID: c.province.ID, Depth: -1}, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	_, changes, err := f.scn.Apply(f.ctx, flat.ID, f.byOn(c.province.ID, feb).Decision, 0)
	if err != nil || len(changes) != 2 {
		t.Fatalf("applied: %d changes, %v", len(changes), err)
	}
	live, err := f.svc.ChartNodes(f.ctx, org.View{At: feb}, org.ChartQuery{RootID: c.province.ID, Depth: -1}, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	sameCharts(t, preview, live)
}

// sameCharts fails unless two charts hold the same organisations, in the
// same places, with the same counts.
func sameCharts(t *testing.T, want, got []org.ChartNode) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d nodes, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.ID != g.ID || w.ParentID != g.ParentID || w.Name != g.Name || w.Kind != g.Kind || w.Counts != g.Counts || w.Depth != g.Depth {
			t.Fatalf("node %d: %+v, want %+v", i, g, w)
		}
	}
}

// testChangeKindInScenario: a scenario is judged on the structure it ends
// with. A grassroots cell with members cannot become a committee on its own
// (a committee holds no members directly), but can in a scenario that also
// establishes a cell under it and moves the members there.
func testChangeKindInScenario(t *testing.T, f *fixture) {
	c := f.commune()
	gcell := f.createOrg(c.district.ID, "Chi bộ Trường THPT Yên Lạc", org.GrassrootsCell, org.SectorSchool)
	var members []string
	for i := range 4 {
		members = append(members, f.createMember(gcell.ID, "Giáo viên "+string(rune('A'+i)), org.Official).ID)
	}
	_, err := f.svc.ChangeOrgKind(f.ctx, gcell.ID, org.GrassrootsCommittee, nil, f.by(c.district.ID))
	wantCode(t, err, org.ERule, "R5")
	// The common real step in one operation: the same decision establishes
	// a cell under the new committee and moves the members into it.
	other := f.createOrg(c.district.ID, "Chi bộ Trường THCS Yên Lạc", org.GrassrootsCell, org.SectorSchool)
	for i := range 3 {
		f.createMember(other.ID, "Cán bộ "+string(rune('A'+i)), org.Official)
	}
	feb := on(2021, 2, 1)
	ch, err := f.svc.ChangeOrgKind(f.ctx, other.ID, org.GrassrootsCommittee,
		&org.NewOrg{Name: "Chi bộ giáo viên THCS", Kind: org.Cell, Sector: org.SectorSchool}, f.byOn(c.district.ID, feb))
	if err != nil || len(ch.Subjects) != 2 {
		t.Fatalf("changeOrgKind with membersTo: %+v, %v", ch, err)
	}
	if o, err := f.s.Org(f.ctx, org.View{At: feb}, ch.Subjects[1]); err != nil || o.ParentID != other.ID || o.Counts.DirectOfficial != 3 {
		t.Fatalf("the cell the members moved to: %+v, %v", o, err)
	}
	// The history lists the cell's establishment and each member's move.
	sum, err := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: other.ID, Since: feb})
	if err != nil || sum[org.ChangeKindChanged] != 1 || sum[org.ChangeEstablished] != 1 || sum[org.ChangeMemberTransferred] != 3 {
		t.Fatalf("changes recorded: %v, %v", sum, err)
	}

	sc, err := f.scn.Create(f.ctx, "Lập đảng bộ cơ sở", c.district.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpChangeOrgKind, ID: gcell.ID, Kind: org.GrassrootsCommittee},
		org.Operation{Type: org.OpEstablishOrg, New: &org.NewOrg{ParentID: gcell.ID, Name: "Chi bộ giáo viên", Kind: org.Cell, Sector: org.SectorSchool}})
	ev, err := f.scn.Evaluate(f.ctx, sc.ID)
	if err != nil || len(ev.Results) != 2 || len(ev.Results[1].Created) != 1 {
		t.Fatalf("evaluation %+v, %v", ev, err)
	}
	cell := ev.Results[1].Created[0]
	for _, m := range members {
		f.addOps(sc.ID, org.Operation{Type: org.OpTransferMember, MemberID: m, CellID: cell})
	}
	added, _, err := f.scn.Findings(f.ctx, sc.ID, org.SeverityError)
	if err != nil || len(added) != 0 {
		t.Fatalf("errors the result would have: %+v, %v", added, err)
	}
	if _, _, err := f.scn.Apply(f.ctx, sc.ID, f.by(c.district.ID).Decision, 0); err != nil {
		t.Fatal(err)
	}
	if o := f.org(gcell.ID); o.Kind != org.GrassrootsCommittee || o.Counts.Members() != 4 || o.Counts.DirectMembers() != 0 {
		t.Fatalf("after: %+v", o)
	}
	if o := f.org(cell); o.Counts.DirectOfficial != 4 || o.ParentID != gcell.ID {
		t.Fatalf("the new cell: %+v", o)
	}
}

// testDecisionsAndLateChanges: a decision may order several operations; a
// late decision may not make a later recorded one untrue.
func testDecisionsAndLateChanges(t *testing.T, f *fixture) {
	c := f.scenarioFixture()
	d := f.by(c.commune.ID)
	if _, err := f.svc.RenameOrg(f.ctx, c.village.ID, "Chi bộ thôn Đông Nam", d); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RenameOrg(f.ctx, c.village2.ID, "Chi bộ thôn Tây Nam", d); err != nil {
		t.Fatalf("a second operation of the same decision: %v", err)
	}
	other := d
	other.Decision.Date--
	other.EffectiveOn = today
	_, err := f.svc.RenameOrg(f.ctx, c.school.ID, "Chi bộ Trường Tiểu học", other)
	wantCode(t, err, org.EConflict, "")
	// A number names one decision whatever its case: "12-qđ/tu" is "12-QĐ/TU".
	other.Decision.Number = strings.ToLower(d.Decision.Number)
	_, err = f.svc.RenameOrg(f.ctx, c.school.ID, "Chi bộ Trường Tiểu học", other)
	wantCode(t, err, org.EConflict, "")
	same := d
	same.Decision.Number = strings.ToLower(d.Decision.Number)
	if _, err := f.svc.RenameOrg(f.ctx, c.school.ID, "Chi bộ Trường Tiểu học Hồng Phương", same); err != nil {
		t.Fatalf("the decision's number in lower case: %v", err)
	}

	// The commune merges the western village into the eastern one in June;
	// a decision of March, recorded later, merging it into the school cell
	// would leave June's merger untrue.
	june, march := on(2021, 6, 1), on(2021, 3, 1)
	merger := f.byOn(c.commune.ID, june)
	if _, err := f.svc.MergeOrgs(f.ctx, []string{c.village2.ID}, org.MergeTarget{ID: c.village.ID}, merger); err != nil {
		t.Fatal(err)
	}
	before := exportJSON(t, f)
	_, err = f.svc.MergeOrgs(f.ctx, []string{c.village2.ID}, org.MergeTarget{ID: c.school.ID}, f.byOn(c.commune.ID, march))
	wantCode(t, err, org.EConflict, "")
	if !strings.Contains(err.Error(), merger.Decision.Number) || strings.Contains(err.Error(), c.village2.ID) {
		t.Fatalf("the conflict does not name the decision, or names ids: %v", err)
	}
	if !bytes.Equal(before, exportJSON(t, f)) {
		t.Fatal("a refused operation changed the store")
	}
	// A late decision that leaves June's merger true is recorded.
	if _, err := f.svc.RenameOrg(f.ctx, c.village2.ID, "Chi bộ thôn Tây Bắc", f.byOn(c.commune.ID, march)); err != nil {
		t.Fatalf("a late rename before the merger: %v", err)
	}
}

// testPreviewIsApplied: for random scenarios over the Vĩnh Phúc demo (single
// and bulk operations, members' moves and residence links, random base
// dates), applying either is refused with a reason and writes nothing, or
// leaves the live structure on the base date equal to the scenario's
// preview, node for node; and the history stays replayable date by date.
// Applying is refused for its findings iff the scenario's findings hold
// some of severity ERROR, and the refusal counts exactly those.
func testPreviewIsApplied(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	seed := testseed.Seed(t, 13)
	rng := rand.New(rand.NewPCG(seed, 7))
	first, last := afterDemo, afterDemo.AddYears(3)
	province := f.orgNamed(org.View{At: first}, "Đảng bộ tỉnh Vĩnh Phúc").ID
	applied, refused, withErrors := 0, 0, 0
	for i := range 24 {
		base := first + org.Date(rng.IntN(int(last-first)))
		nodes, err := f.svc.ChartNodes(f.ctx, org.View{At: base}, org.ChartQuery{RootID: province, Depth: -1}, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		var cells, committees []org.ChartNode
		for _, n := range nodes {
			switch n.Kind {
			case org.Cell:
				cells = append(cells, n)
			case org.GrassrootsCommittee:
				committees = append(committees, n)
			}
		}
		pick := func(ns []org.ChartNode) string { return ns[rng.IntN(len(ns))].ID }
		sc, err := f.scn.Create(f.ctx, fmt.Sprintf("Phương án %d", i), province, base)
		if err != nil {
			t.Fatal(err)
		}
		member := func() (org.Member, bool) {
			page, err := f.svc.CellMembers(f.ctx, org.View{At: base}, pick(cells), org.PageQuery{First: 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Members) == 0 {
				return org.Member{}, false
			}
			return page.Members[rng.IntN(len(page.Members))], true
		}
		for range 1 + rng.IntN(3) {
			var op org.Operation
			switch rng.IntN(9) {
			case 8: // a cell made a committee: R5, and R6 for whoever resides there
				op = org.Operation{Type: org.OpChangeOrgKind, ID: pick(cells), Kind: org.GrassrootsCommittee}
			case 6: // a link to any cell: R6 when it is not a village's or is the member's own
				if m, ok := member(); ok {
					op = org.Operation{Type: org.OpSetResidence, MemberID: m.ID, CellID: pick(cells)}
				}
				if rng.IntN(2) == 0 {
					break
				}
				fallthrough
			case 7: // a member into any cell, their residence's among them
				if m, ok := member(); ok {
					op = org.Operation{Type: org.OpTransferMember, MemberID: m.ID, CellID: cmp.Or(m.ResidenceCellID, pick(cells))}
				}
			case 0:
				op = org.Operation{Type: org.OpRenameOrg, ID: pick(cells), Name: fmt.Sprintf("Chi bộ thôn Mới %d", rng.IntN(1000))}
			case 1:
				op = org.Operation{Type: org.OpTransferOrg, ID: pick(cells), ParentID: pick(committees)}
			case 2:
				op = org.Operation{Type: org.OpMergeOrgs, Sources: []string{pick(cells)}, TargetID: pick(cells)}
			case 3:
				op = org.Operation{Type: org.OpDissolveOrg, ID: pick(cells), Destination: org.Destination{MembersTo: pick(cells)}}
			case 4:
				small := 10
				op = org.Operation{Type: org.OpTransferWhere, TargetID: pick(committees),
					Filter: &org.OrgFilter{Within: pick(committees), Kinds: []org.Kind{org.Cell}, MaxMembers: &small}}
			default:
				op = org.Operation{Type: org.OpMergeByMapping, Mapping: []org.MergeMapping{
					{Sources: []string{pick(cells)}, Target: org.MergeTarget{ID: pick(cells)}}}}
			}
			// One that names nothing or is malformed is refused on adding.
			f.scn.AddOperations(f.ctx, sc.ID, []org.Operation{op})
		}
		preview, err := f.svc.ChartNodes(f.ctx, org.View{At: base, Scenario: sc.ID}, org.ChartQuery{RootID: province, Depth: -1}, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		findings, _, err := f.scn.Findings(f.ctx, sc.ID, org.SeverityError)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range findings {
			if v.OperationKey == 0 {
				t.Errorf("scenario %d: a finding it brings names no operation: %+v", i, v)
			}
		}
		before := exportJSON(t, f)
		_, _, err = f.scn.Apply(f.ctx, sc.ID, f.byOn(province, base).Decision, 0)
		forFindings := org.ErrorCode(err) == org.ERule && strings.Contains(org.ErrorMessage(err), "vi phạm mức ERROR")
		if want := fmt.Sprintf("phương án còn %d vi phạm mức ERROR", len(findings)); (len(findings) > 0) != forFindings ||
			forFindings && !strings.HasPrefix(org.ErrorMessage(err), want) {
			t.Fatalf("scenario %d shows %d ERROR findings %+v; applying it: %v", i, len(findings), findings, err)
		}
		if forFindings {
			withErrors++
		}
		switch code := org.ErrorCode(err); {
		case err == nil:
			applied++
			live, err := f.svc.ChartNodes(f.ctx, org.View{At: base}, org.ChartQuery{RootID: province, Depth: -1}, 10_000)
			if err != nil {
				t.Fatal(err)
			}
			sameCharts(t, preview, live)
		case code == org.ERule || code == org.EConflict || code == org.EInvalid:
			refused++
			if !bytes.Equal(before, exportJSON(t, f)) {
				t.Fatalf("scenario %d refused (%v) but changed the store", i, err)
			}
			if got, _ := f.svc.Scenario(f.ctx, sc.ID); got.Status != org.ScenarioOpen {
				t.Fatalf("scenario %d refused (%v) but is %s", i, err, got.Status)
			}
		default:
			t.Fatalf("scenario %d: %v", i, err)
		}
	}
	t.Logf("seed %d: %d scenarios applied, %d refused, %d for their ERROR findings", seed, applied, refused, withErrors)
	if applied == 0 || refused == 0 || withErrors == 0 {
		t.Fatalf("%d applied, %d refused: the test exercises too little", applied, refused)
	}
	f.verifyHistory(first, last, 3)
}

// testDissolvedResidence: dissolving a village cell ends its residents'
// links, each recorded as a change of its own by the same decision, and
// the residents left without a link are reported to be linked anew.
func testDissolvedResidence(t *testing.T, f *fixture) {
	c := f.scenarioFixture()
	worker := f.createMember(c.agencyCell.ID, "Phạm Minh Đức", org.Official)
	if _, err := f.svc.SetResidence(f.ctx, worker.ID, c.village2.ID, f.by(c.agency.ID)); err != nil {
		t.Fatal(err)
	}
	lost := func(found []org.Violation) bool {
		for _, v := range found {
			if v.Subject == worker.ID && v.Rule.ID == "R6" && v.Rule.Severity == org.SeverityWarning {
				return true
			}
		}
		return false
	}
	feb := on(2021, 2, 1)
	// In a scenario first: the finding is one the scenario brings.
	sc, err := f.scn.Create(f.ctx, "Giải thể thôn Tây", c.province.ID, feb)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpDissolveOrg, ID: c.village2.ID, Destination: org.Destination{MembersTo: c.village.ID}})
	added, _, err := f.scn.Findings(f.ctx, sc.ID, org.SeverityInfo)
	if err != nil || !lost(added) {
		t.Fatalf("the scenario does not report the resident left without a link: %+v, %v", added, err)
	}
	// The commune's organiser may not: the worker lives there but works in
	// the agency, outside the commune.
	before := exportJSON(t, f)
	organiser := org.WithPrincipal(f.ctx, &org.Principal{Subject: "tổ chức xã", Roles: []org.AccessRole{org.Organiser},
		Scope: []string{c.commune.ID}})
	_, err = f.svc.DissolveOrg(organiser, c.village2.ID, org.Destination{MembersTo: c.village.ID}, f.byOn(c.commune.ID, feb))
	wantCode(t, err, org.EForbidden, "")
	if strings.Contains(err.Error(), worker.FullName) || !bytes.Equal(before, exportJSON(t, f)) {
		t.Fatalf("the refusal names the worker, or wrote: %v", err)
	}
	meta := f.byOn(c.commune.ID, feb)
	if _, err := f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{MembersTo: c.village.ID}, meta); err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: c.agencyCell.ID, Since: feb, Types: []org.ChangeType{org.ChangeResidenceEnded}, First: 10})
	if err != nil || len(page.Changes) != 1 || page.Changes[0].Decision != meta.Decision ||
		page.Changes[0].Subjects[0] != worker.ID || page.Changes[0].After[0].Member == nil {
		t.Fatalf("the ended link's change: %+v, %v", page.Changes, err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: feb}, worker.ID); m.ResidenceCellID != "" || m.ResidenceEndedOn != feb {
		t.Fatalf("after: %+v", m)
	}
	found, err := f.svc.Violations(f.ctx, org.View{At: feb}, c.province.ID, true, org.SeverityInfo)
	if err != nil || !lost(found) {
		t.Fatalf("the resident left without a link is not reported: %v", err)
	}

	// Villages merged: those who lived in the one merged live in the other.
	north := f.createOrg(c.commune.ID, "Chi bộ thôn Bắc", org.Cell, org.SectorVillage)
	for i := range 3 {
		f.createMember(north.ID, "Người thôn Bắc "+string(rune('A'+i)), org.Official)
	}
	if _, err := f.svc.SetResidence(f.ctx, worker.ID, north.ID, f.byOn(c.agency.ID, feb)); err != nil {
		t.Fatal(err)
	}
	march := on(2021, 3, 1)
	if _, err := f.svc.MergeOrgs(f.ctx, []string{north.ID}, org.MergeTarget{ID: c.village.ID}, f.byOn(c.commune.ID, march)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: march}, worker.ID); m.ResidenceCellID != c.village.ID {
		t.Fatalf("after the villages merged the worker lives in %q", m.ResidenceCellID)
	}
	sum, err := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: c.agencyCell.ID, Since: march})
	if err != nil || sum[org.ChangeResidenceSet] != 1 {
		t.Fatalf("the moved link's change: %v, %v", sum, err)
	}
}

// testLateMovesAndScope: what a tester broke. A late decision may not move
// away what a later merger or dissolution moves; an apply writes nothing
// the preview did not show; a decision dated in the past may not reach what
// has since left the caller's scope; a merger into its own sub-organisation
// is refused as a rule, not an internal error.
func testLateMovesAndScope(t *testing.T, f *fixture) {
	c := f.scenarioFixture()
	june, march := on(2021, 6, 1), on(2021, 3, 1)
	page, err := f.s.CellMembers(f.ctx, f.now(), c.village2.ID, org.PageQuery{First: 1})
	if err != nil || len(page.Members) != 1 {
		t.Fatalf("a member of the western village: %+v, %v", page, err)
	}
	westerner := page.Members[0].ID
	merger := f.byOn(c.commune.ID, june)
	if _, err := f.svc.MergeOrgs(f.ctx, []string{c.village2.ID}, org.MergeTarget{ID: c.village.ID}, merger); err != nil {
		t.Fatal(err)
	}
	// June's merger moves the western village's members: one a late
	// decision moved to the school is not theirs to move any more.
	_, err = f.svc.TransferMember(f.ctx, westerner, c.school.ID, 0, f.byOn(c.commune.ID, march))
	wantCode(t, err, org.EConflict, "")
	if !strings.Contains(err.Error(), merger.Decision.Number) {
		t.Fatalf("the conflict does not name June's decision: %v", err)
	}

	// A scenario merging the school into the village, previewed; then a
	// member joins the school live: applying would move them too, unseen.
	sc, err := f.scn.Create(f.ctx, "Sáp nhập trường", c.commune.ID, june)
	if err != nil {
		t.Fatal(err)
	}
	f.addOps(sc.ID, org.Operation{Type: org.OpMergeOrgs, Sources: []string{c.school.ID}, TargetID: c.village.ID})
	f.createMember(c.school.ID, "Đảng viên mới", org.Official)
	before := exportJSON(t, f)
	_, _, err = f.scn.Apply(f.ctx, sc.ID, f.byOn(c.commune.ID, june).Decision, 0)
	wantCode(t, err, org.EConflict, "")
	if !bytes.Equal(before, exportJSON(t, f)) {
		t.Fatal("a refused apply changed the store")
	}
	if _, err := f.scn.Rebase(f.ctx, sc.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.scn.Apply(f.ctx, sc.ID, f.byOn(c.commune.ID, june).Decision, 0); err != nil {
		t.Fatalf("after a rebase: %v", err)
	}

	// A cell the commune held in January has been the agency's since
	// February: in March, the commune's organiser may not rename it by a
	// decision dated January, which would rename it today too.
	organiser := org.WithPrincipal(f.ctx, &org.Principal{Subject: "tổ chức xã", Roles: []org.AccessRole{org.Organiser},
		Scope: []string{c.commune.ID}})
	moved := f.createOrg(c.commune.ID, "Chi bộ Trạm Y tế", org.Cell, org.SectorHealth)
	if _, err := f.svc.TransferOrg(f.ctx, moved.ID, c.agency.ID, f.byOn(c.province.ID, on(2021, 2, 1))); err != nil {
		t.Fatal(err)
	}
	inMarch := org.NewService(f.s, func() org.Date { return march })
	_, err = inMarch.RenameOrg(organiser, moved.ID, "Chi bộ Trạm Y tế (cũ)", f.byOn(c.commune.ID, on(2021, 1, 15)))
	wantCode(t, err, org.ENotFound, "")

	// A merger into what lies within the source.
	_, err = f.svc.MergeOrgs(f.ctx, []string{c.district.ID}, org.MergeTarget{ID: c.commune.ID}, f.by(c.province.ID))
	wantCode(t, err, org.ERule, "R5")
}
