// Package storetest states what every org.Store must do: one behaviour suite
// that the embedded store runs in every test run and the Neo4j store runs when
// a server is available.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// Opener returns a new, empty store for one test; the suite closes it.
type Opener func(t *testing.T) org.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) { RunSome(t, open) }

// RunSome runs the cases of the suite named, all when none is, against
// stores made by open: a stand-in for a store that models only part of it
// runs that part.
func RunSome(t *testing.T, open Opener, names ...string) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"Empty", testEmpty},
		{"Hierarchy", testHierarchy},
		{"ChildrenPages", testChildrenPages},
		{"ShapeViolationsWriteNothing", testShapeViolations},
		{"Members", testMembers},
		{"Residence", testResidence},
		{"AsOf", testAsOf},
		{"Search", testSearch},
		{"SearchPages", testSearchPages},
		{"Chart", testChart},
		{"ChartAsOf", testChartAsOf},
		{"OrgOperations", testOrgOperations},
		{"MemberOperations", testMemberOperations},
		{"LateAndPlannedOperations", testLateAndPlanned},
		{"ConcurrentOperations", testConcurrentOperations},
		{"RandomOperations", testRandomOperations},
		{"HistoryCountsAsListed", testHistoryCountsAsListed},
		{"SameDayMovesAndScope", testSameDayMovesAndScope},
		{"ResidentsLeaving", testResidentsLeaving},
		{"KonTumHistory", testKonTumHistory},
		{"ImportExport", testImportExport},
		{"ImportRejectsInvalid", testImportRejects},
		{"ConcurrentWrites", testConcurrentWrites},
		{"StaleWriteConflicts", testStaleWrite},
		{"FailedUpdateWritesNothing", testFailedUpdate},
		{"ViewWritesNothing", testView},
		{"SameErrors", testSameErrors},
		{"Covers", testCovers},
		{"AccessControl", testAccessControl},
		{"Audit", testAudit},
		{"Scenarios", testScenarios},
		{"ScenarioWhatIf", testScenarioWhatIf},
		{"ScenarioBaseline", testScenarioBaseline},
		{"AbolishDistrictLevel", testAbolishDistrictLevel},
		{"MemberRules", testMemberRules},
		{"ScenarioTrust", testScenarioTrust},
		{"ChangeKindInScenario", testChangeKindInScenario},
		{"DecisionsAndLateChanges", testDecisionsAndLateChanges},
		{"PreviewIsApplied", testPreviewIsApplied},
		{"DissolvedResidence", testDissolvedResidence},
		{"MemberAnalysis", testMemberAnalysis},
		{"LateMovesAndScope", testLateMovesAndScope},
		{"LateMovesRescopeHistory", testLateMovesRescopeHistory},
		{"LateMovePairs", testLateMovePairs},
		{"VillagesAndMeetings", testVillagesAndMeetings},
		{"YearlyFactsAfterLateMoves", testYearlyFactsAfterLateMoves},
		{"EndedAsOf", testEndedAsOf},
		{"LiveChanges", testLiveChanges},
		{"LiveChangesScoped", testLiveChangesScoped},
	} {
		if len(names) > 0 && !slices.Contains(names, tc.name) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, newFixture(t, open, s))
		})
	}
}

// today is the date the suite's writes take effect on.
var today = org.DateFrom(2021, 1, 1)

type fixture struct {
	decisions int // numbers the fixture's decisions
	t         *testing.T
	ctx       context.Context
	open      Opener
	s         org.Store
	svc       *org.Service
	scn       *scenario.Service // svc's
}

func newFixture(t *testing.T, open Opener, s org.Store) *fixture {
	svc := org.NewService(s, func() org.Date { return today })
	return &fixture{t: t, ctx: org.WithPrincipal(context.Background(), org.System), open: open, s: s,
		svc: svc, scn: scenario.New(svc, s)}
}

func on(y int, m time.Month, d int) org.Date { return org.DateFrom(y, m, d) }

// by is a fresh decision of issuer, signed today, taking effect today.
func (f *fixture) by(issuer string) org.Meta { return f.byOn(issuer, today) }

// byOn is a fresh decision of issuer, signed and taking effect on date d.
func (f *fixture) byOn(issuer string, d org.Date) org.Meta {
	f.decisions++
	return org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ/TU", f.decisions), Date: d, IssuerID: issuer}, EffectiveOn: d}
}

func (f *fixture) now() org.View { return org.View{At: today} }

func (f *fixture) createOrg(parent, name string, kind org.Kind, sector org.Sector) org.Org {
	f.t.Helper()
	o, err := f.svc.CreateOrg(f.ctx, org.NewOrg{ParentID: parent, Name: name, Kind: kind, Sector: sector})
	if err != nil {
		f.t.Fatalf("CreateOrg(%q): %v", name, err)
	}
	return o
}

func (f *fixture) createMember(cell, name string, status org.MemberStatus) org.Member {
	f.t.Helper()
	m, err := f.svc.CreateMember(f.ctx, org.NewMember{CellID: cell, FullName: name, Status: status,
		AdmittedOn: org.DateFrom(2019, 12, 1), Personal: org.Personal{BirthDate: new(org.DateFrom(1980, 5, 17)), Ethnicity: "Kinh"}})
	if err != nil {
		f.t.Fatalf("CreateMember(%q): %v", name, err)
	}
	return m
}

func (f *fixture) org(id string) org.Org {
	f.t.Helper()
	o, err := f.s.Org(f.ctx, f.now(), id)
	if err != nil {
		f.t.Fatalf("Org(%s): %v", id, err)
	}
	return o
}

// wantCode fails unless err carries the given code (and rule, when not empty).
func wantCode(t *testing.T, err error, code, rule string) {
	t.Helper()
	var e *org.Error
	if !errors.As(err, &e) || e.Code != code || (rule != "" && e.Rule != rule) {
		t.Fatalf("error = %v, want %s %s", err, code, rule)
	}
}

// commune builds a province → district → commune committee with a village
// cell and a school cell, and a provincial agency bloc with an agency cell.
type commune struct {
	province, district, commune, village, village2, school, bloc, agency, agencyCell org.Org
}

func (f *fixture) commune() commune {
	var c commune
	c.province = f.createOrg("", "Đảng bộ tỉnh Vĩnh Phúc", org.Province, org.SectorOther)
	c.district = f.createOrg(c.province.ID, "Đảng bộ huyện Yên Lạc", org.District, org.SectorOther)
	c.commune = f.createOrg(c.district.ID, "Đảng bộ xã Tam Hồng", org.GrassrootsCommittee, org.SectorCommune)
	c.village = f.createOrg(c.commune.ID, "Chi bộ thôn Đông", org.Cell, org.SectorVillage)
	c.village2 = f.createOrg(c.commune.ID, "Chi bộ thôn Tây", org.Cell, org.SectorVillage)
	c.school = f.createOrg(c.commune.ID, "Chi bộ Trường Tiểu học Tam Hồng", org.Cell, org.SectorSchool)
	c.bloc = f.createOrg(c.province.ID, "Đảng bộ Khối các cơ quan tỉnh", org.District, org.SectorBloc)
	c.agency = f.createOrg(c.bloc.ID, "Đảng bộ Sở Tài chính", org.GrassrootsCommittee, org.SectorAgency)
	c.agencyCell = f.createOrg(c.agency.ID, "Chi bộ Phòng Ngân sách", org.Cell, org.SectorAgency)
	return c
}

func testEmpty(t *testing.T, f *fixture) {
	empty, err := f.s.Empty(f.ctx)
	if err != nil || !empty {
		t.Fatalf("Empty = %v, %v", empty, err)
	}
	roots, err := f.s.Roots(f.ctx, f.now())
	if err != nil || len(roots) != 0 {
		t.Fatalf("Roots = %v, %v", roots, err)
	}
	_, err = f.s.Org(f.ctx, f.now(), "onope")
	wantCode(t, err, org.ENotFound, "")
	_, err = f.s.Member(f.ctx, f.now(), "mnope")
	wantCode(t, err, org.ENotFound, "")
	orgs, err := f.s.Orgs(f.ctx, f.now(), []string{"onope"})
	if err != nil || len(orgs) != 1 || orgs[0].ID != "" {
		t.Fatalf("Orgs of a missing id = %v, %v", orgs, err)
	}
	hits, err := f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "tam hong", First: 10})
	if err != nil || len(hits) != 0 {
		t.Fatalf("Search on an empty store = %v, %v", hits, err)
	}
	if err := f.s.Ping(f.ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testHierarchy(t *testing.T, f *fixture) {
	c := f.commune()
	roots, err := f.s.Roots(f.ctx, f.now())
	if err != nil || len(roots) != 1 || roots[0].ID != c.province.ID || roots[0].Name != "Đảng bộ tỉnh Vĩnh Phúc" {
		t.Fatalf("Roots = %v, %v", roots, err)
	}
	got := f.org(c.commune.ID)
	if got.Name != "Đảng bộ xã Tam Hồng" || got.Kind != org.GrassrootsCommittee || got.Sector != org.SectorCommune ||
		got.ParentID != c.district.ID || got.EstablishedOn != today || got.EndedOn != org.Forever {
		t.Fatalf("commune = %+v", got)
	}
	p := f.org(c.province.ID).Counts
	if p.Children != 2 || p.ByKind[org.District] != 2 || p.Grassroots() != 2 || p.ByKind[org.Cell] != 4 ||
		p.CellsBySector[org.SectorVillage] != 2 || p.CellsBySector[org.SectorSchool] != 1 || p.CellsBySector[org.SectorAgency] != 1 {
		t.Fatalf("province counts = %+v", p)
	}
	path, err := f.s.Path(f.ctx, f.now(), c.school.ID)
	if err != nil || len(path) != 4 || path[0].ID != c.province.ID || path[2].ID != c.commune.ID || path[3].ID != c.school.ID {
		t.Fatalf("Path = %v, %v", path, err)
	}
	_, err = f.s.Path(f.ctx, f.now(), "onope")
	wantCode(t, err, org.ENotFound, "")
	orgs, err := f.s.Orgs(f.ctx, f.now(), []string{c.village.ID, "onope", c.bloc.ID})
	if err != nil || len(orgs) != 3 || orgs[0].ID != c.village.ID || orgs[1].ID != "" || orgs[2].Name != c.bloc.Name {
		t.Fatalf("Orgs = %v, %v", orgs, err)
	}
	empty, err := f.s.Empty(f.ctx)
	if err != nil || empty {
		t.Fatalf("Empty after writes = %v, %v", empty, err)
	}
}

func testChildrenPages(t *testing.T, f *fixture) {
	p := f.createOrg("", "Tỉnh", org.Province, org.SectorOther)
	gc := f.createOrg(p.ID, "Đảng bộ xã", org.GrassrootsCommittee, org.SectorCommune)
	names := []string{"Chi bộ thôn Ánh", "Chi bộ thôn Bình", "Chi bộ thôn An", "Chi bộ thôn Đông", "Chi bộ thôn Dung"}
	for _, n := range names {
		f.createOrg(gc.ID, n, org.Cell, org.SectorVillage)
	}
	f.createOrg(gc.ID, "Đảng bộ bộ phận Khu Z", org.PartialCommittee, org.SectorOther)
	var got []string
	q := org.PageQuery{First: 4}
	for pages := 0; ; pages++ {
		page, err := f.s.Children(f.ctx, f.now(), gc.ID, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 6 {
			t.Fatalf("Total = %d", page.Total)
		}
		for _, o := range page.Orgs {
			got = append(got, o.Name)
		}
		if !page.HasNext {
			if pages != 1 {
				t.Fatalf("%d pages of 4 for 6 children", pages+1)
			}
			break
		}
		q.After = org.ChildCursor(&page.Orgs[len(page.Orgs)-1])
	}
	want := []string{"Đảng bộ bộ phận Khu Z", "Chi bộ thôn An", "Chi bộ thôn Ánh", "Chi bộ thôn Bình", "Chi bộ thôn Đông", "Chi bộ thôn Dung"}
	if !slices.Equal(got, want) {
		t.Fatalf("children order = %q, want %q", got, want)
	}
	page, err := f.s.Children(f.ctx, f.now(), gc.ID, org.PageQuery{First: 10}, []org.Kind{org.PartialCommittee})
	if err != nil || page.Total != 1 || len(page.Orgs) != 1 || page.HasNext {
		t.Fatalf("kinds filter = %+v, %v", page, err)
	}
	page, err = f.s.Children(f.ctx, f.now(), gc.ID, org.PageQuery{First: 0}, nil)
	if err != nil || page.Total != 6 || len(page.Orgs) != 0 || !page.HasNext {
		t.Fatalf("first: 0 = %+v, %v", page, err)
	}
	_, err = f.s.Children(f.ctx, f.now(), gc.ID, org.PageQuery{First: 2, After: "not a cursor"}, nil)
	wantCode(t, err, org.EInvalid, "")
	_, err = f.s.Children(f.ctx, f.now(), "onope", org.PageQuery{First: 2}, nil)
	wantCode(t, err, org.ENotFound, "")
}

func testShapeViolations(t *testing.T, f *fixture) {
	c := f.commune()
	before := f.org(c.province.ID).Counts
	for _, tc := range []struct {
		parent string
		kind   org.Kind
	}{
		{c.province.ID, org.Cell},               // a cell straight under a province
		{c.district.ID, org.PartialCommittee},   // a partial committee outside a grassroots committee
		{c.village.ID, org.Cell},                // anything under a cell
		{"", org.District},                      // a root that is not a province
		{c.commune.ID, org.GrassrootsCommittee}, // grassroots under grassroots
	} {
		_, err := f.svc.CreateOrg(f.ctx, org.NewOrg{ParentID: tc.parent, Name: "Sai cấp", Kind: tc.kind})
		wantCode(t, err, org.ERule, "R5")
	}
	gcell := f.createOrg(c.district.ID, "Chi bộ cơ sở Trạm Y tế", org.GrassrootsCell, org.SectorHealth)
	_, err := f.svc.CreateOrg(f.ctx, org.NewOrg{ParentID: gcell.ID, Name: "Chi bộ con", Kind: org.Cell})
	wantCode(t, err, org.ERule, "R5")
	_, err = f.svc.CreateMember(f.ctx, org.NewMember{CellID: c.district.ID, FullName: "Nguyễn Văn An", Status: org.Probationary})
	wantCode(t, err, org.ERule, "R5")
	_, err = f.svc.CreateOrg(f.ctx, org.NewOrg{ParentID: "onope", Name: "Mồ côi", Kind: org.Cell})
	wantCode(t, err, org.ENotFound, "")
	for _, bad := range []string{"", "   ", string(make([]rune, org.MaxNameLen+1))} {
		_, err = f.svc.CreateOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: bad, Kind: org.Cell})
		wantCode(t, err, org.EInvalid, "")
	}
	after := f.org(c.province.ID).Counts
	after.ByKind[org.GrassrootsCell]--
	after.Children, before.Children = 0, 0
	if after != before {
		t.Fatalf("a refused write changed the counts: %+v, then %+v", before, after)
	}
	if page, _ := f.s.Children(f.ctx, f.now(), c.province.ID, org.PageQuery{First: 10}, nil); page.Total != 2 {
		t.Fatalf("province has %d children after refused writes", page.Total)
	}
}

func testMembers(t *testing.T, f *fixture) {
	c := f.commune()
	names := []string{"Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường", "Đỗ Thị Dung"}
	ids := map[string]string{}
	for i, n := range names {
		status := org.Official
		if i == 3 {
			status = org.Probationary
		}
		ids[n] = f.createMember(c.village.ID, n, status).ID
	}
	m, err := f.s.Member(f.ctx, f.now(), ids["Nguyễn Văn An"])
	if err != nil || m.FullName != "Nguyễn Văn An" || m.CellID != c.village.ID || m.Status != org.Official ||
		m.AdmittedOn != org.DateFrom(2019, 12, 1) || *m.OfficialOn != org.DateFrom(2020, 12, 1) ||
		*m.Personal.BirthDate != org.DateFrom(1980, 5, 17) || m.Personal.Ethnicity != "Kinh" {
		t.Fatalf("Member = %+v, %v", m, err)
	}
	d, _ := f.s.Member(f.ctx, f.now(), ids["Đỗ Thị Dung"])
	if d.Status != org.Probationary || d.OfficialOn != nil {
		t.Fatalf("probationary member = %+v", d)
	}
	for _, id := range []string{c.village.ID, c.commune.ID, c.district.ID, c.province.ID} {
		if c := f.org(id).Counts; c.Official != 3 || c.Probationary != 1 || c.Members() != 4 {
			t.Fatalf("counts of %s = %+v", id, c)
		}
	}
	if c := f.org(c.village.ID).Counts; c.DirectOfficial != 3 || c.DirectProbationary != 1 {
		t.Fatalf("direct counts = %+v", c)
	}
	if c := f.org(c.commune.ID).Counts; c.DirectMembers() != 0 {
		t.Fatalf("a committee holds members directly: %+v", c)
	}
	var got []string
	q := org.PageQuery{First: 3}
	for {
		page, err := f.s.CellMembers(f.ctx, f.now(), c.village.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 4 {
			t.Fatalf("Total = %d", page.Total)
		}
		for _, m := range page.Members {
			got = append(got, m.FullName)
		}
		if !page.HasNext {
			break
		}
		q.After = org.MemberCursor(&page.Members[len(page.Members)-1])
	}
	// By folded name: "do thi dung" < "le van cuong" < "nguyen van an" < "tran thi binh".
	if want := []string{"Đỗ Thị Dung", "Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"}; !slices.Equal(got, want) {
		t.Fatalf("members = %q, want %q", got, want)
	}
	ms, err := f.s.Members(f.ctx, f.now(), []string{ids["Trần Thị Bình"], "mnope"})
	if err != nil || len(ms) != 2 || ms[0].FullName != "Trần Thị Bình" || ms[1].ID != "" {
		t.Fatalf("Members = %+v, %v", ms, err)
	}
	_, err = f.s.CellMembers(f.ctx, f.now(), c.village.ID, org.PageQuery{First: 2, After: "%%%"})
	wantCode(t, err, org.EInvalid, "")
	_, err = f.svc.CreateMember(f.ctx, org.NewMember{CellID: "onope", FullName: "Ai Đó", Status: org.Probationary})
	wantCode(t, err, org.ENotFound, "")
	_, err = f.svc.CreateMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: "Quá Trẻ", Status: org.Official,
		AdmittedOn: org.DateFrom(2010, 1, 1), Personal: org.Personal{BirthDate: new(org.DateFrom(2000, 1, 1))}})
	wantCode(t, err, org.EInvalid, "")
	if c := f.org(c.village.ID).Counts; c.Members() != 4 {
		t.Fatalf("refused members were counted: %+v", c)
	}
}

func testResidence(t *testing.T, f *fixture) {
	c := f.commune()
	worker := f.createMember(c.agencyCell.ID, "Phạm Minh Đức", org.Official)
	villager := f.createMember(c.village.ID, "Hoàng Thị Em", org.Official)
	ch, err := f.svc.SetResidence(f.ctx, worker.ID, c.village.ID, f.by(c.agency.ID))
	if err != nil || ch.Type != org.ChangeResidenceSet {
		t.Fatalf("SetResidence = %+v, %v", ch, err)
	}
	if m, _ := f.s.Member(f.ctx, f.now(), worker.ID); m.ResidenceCellID != c.village.ID || m.CellID != c.agencyCell.ID {
		t.Fatalf("after SetResidence: %+v", m)
	}
	page, err := f.s.Residents(f.ctx, f.now(), c.village.ID, org.PageQuery{First: 10})
	if err != nil || page.Total != 1 || page.Members[0].ID != worker.ID {
		t.Fatalf("Residents = %+v, %v", page, err)
	}
	// Residence links do not count as members of the village cell.
	if c := f.org(c.village.ID).Counts; c.Members() != 1 {
		t.Fatalf("village counts = %+v", c)
	}
	_, err = f.svc.SetResidence(f.ctx, worker.ID, c.school.ID, f.by(c.agency.ID))
	wantCode(t, err, org.ERule, "R6")
	_, err = f.svc.SetResidence(f.ctx, villager.ID, c.village.ID, f.by(c.commune.ID))
	wantCode(t, err, org.ERule, "R6")
	_, err = f.svc.SetResidence(f.ctx, worker.ID, c.commune.ID, f.by(c.agency.ID))
	wantCode(t, err, org.ERule, "R6")
	_, err = f.svc.SetResidence(f.ctx, "mnope", c.village.ID, f.by(c.agency.ID))
	wantCode(t, err, org.ENotFound, "")
	_, err = f.svc.SetResidence(f.ctx, worker.ID, "onope", f.by(c.agency.ID))
	wantCode(t, err, org.ENotFound, "")
	if m, _ := f.s.Member(f.ctx, f.now(), worker.ID); m.ResidenceCellID != c.village.ID {
		t.Fatalf("a refused residence link changed the member: %+v", m)
	}
	// A later move ends the first link on the day the second starts.
	if _, err := f.svc.SetResidence(f.ctx, worker.ID, c.village2.ID, f.byOn(c.agency.ID, today.AddDays(30))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   org.Date
		cell string
	}{{today, c.village.ID}, {today.AddDays(29), c.village.ID}, {today.AddDays(30), c.village2.ID}} {
		m, _ := f.s.Member(f.ctx, org.View{At: tc.at}, worker.ID)
		if m.ResidenceCellID != tc.cell {
			t.Fatalf("residence on %s = %q, want %q", tc.at, m.ResidenceCellID, tc.cell)
		}
	}
	if page, _ := f.s.Residents(f.ctx, org.View{At: today.AddDays(30)}, c.village.ID, org.PageQuery{First: 10}); page.Total != 0 {
		t.Fatalf("old village still lists the resident: %+v", page)
	}
}

// history is a dataset with dates: a district that ends on 2020-01-01 when its
// commune moves to the province and is renamed, and a member who moves cell.
func history() []org.Record {
	d := on
	y2010, y2020 := d(2010, 1, 1), d(2020, 1, 1)
	span := func(a, b org.Date) org.Span { return org.Span{Since: a, Until: b} }
	orgs := []*org.OrgRecord{
		{ID: "oprov", Versions: []org.Version{{Span: span(y2010, org.Forever), Name: "Đảng bộ tỉnh Kon Tum", Kind: org.Province}}},
		{ID: "odist", Versions: []org.Version{{Span: span(y2010, y2020), ParentID: "oprov", Name: "Đảng bộ huyện Đăk Hà", Kind: org.District}}},
		{ID: "ocomm", Versions: []org.Version{
			{Span: span(y2010, y2020), ParentID: "odist", Name: "Đảng bộ xã Hà Mòn", Kind: org.GrassrootsCommittee, Sector: org.SectorCommune},
			{Span: span(y2020, org.Forever), ParentID: "oprov", Name: "Đảng bộ xã Hà Mòn mới", Kind: org.GrassrootsCommittee, Sector: org.SectorCommune},
		}},
		{ID: "ocell1", Versions: []org.Version{{Span: span(y2010, org.Forever), ParentID: "ocomm", Name: "Chi bộ thôn 1", Kind: org.Cell, Sector: org.SectorVillage}}},
		{ID: "ocell2", Versions: []org.Version{{Span: span(d(2015, 6, 1), org.Forever), ParentID: "ocomm", Name: "Chi bộ thôn 2", Kind: org.Cell, Sector: org.SectorVillage}}},
	}
	members := []*org.MemberRecord{
		{ID: "m1", FullName: "Y Bình", AdmittedOn: d(2005, 3, 1), OfficialOn: new(d(2006, 3, 1)),
			Stints: []org.Stint{{Span: span(y2010, d(2016, 1, 1)), CellID: "ocell1"}, {Span: span(d(2016, 1, 1), org.Forever), CellID: "ocell2"}}},
		{ID: "m2", FullName: "A Thuận", AdmittedOn: d(2019, 6, 1), OfficialOn: new(d(2020, 6, 1)),
			Stints: []org.Stint{{Span: span(d(2019, 6, 1), org.Forever), CellID: "ocell1"}}},
		{ID: "m3", FullName: "Nguyễn Thị Hoa", AdmittedOn: d(2000, 1, 1), OfficialOn: new(d(2001, 1, 1)),
			Stints:     []org.Stint{{Span: span(y2010, d(2018, 1, 1)), CellID: "ocell1"}},
			Residences: []org.Residence{{Span: span(d(2015, 6, 1), d(2018, 1, 1)), CellID: "ocell2"}}},
	}
	var recs []org.Record
	for _, o := range orgs {
		recs = append(recs, org.Record{Org: o})
	}
	for _, m := range members {
		recs = append(recs, org.Record{Member: m})
	}
	return recs
}

func (f *fixture) importRecords(recs []org.Record) {
	f.t.Helper()
	if _, err := f.s.Import(f.ctx, &Records{Recs: recs}); err != nil {
		f.t.Fatalf("Import: %v", err)
	}
}

func testAsOf(t *testing.T, f *fixture) {
	f.importRecords(history())
	on := func(y int, m time.Month, d int) org.View { return org.View{At: org.DateFrom(y, m, d)} }
	// Before the province existed: nothing.
	if roots, _ := f.s.Roots(f.ctx, on(2009, 12, 31)); len(roots) != 0 {
		t.Fatalf("roots before 2010 = %v", roots)
	}
	for _, tc := range []struct {
		view       org.View
		parent     string
		name       string
		members    int32
		official   int32
		districts  int32
		cells      int32
		m1Cell     string
		m3Resident string
	}{
		{on(2012, 5, 1), "odist", "Đảng bộ xã Hà Mòn", 2, 2, 1, 1, "ocell1", ""},
		{on(2015, 12, 31), "odist", "Đảng bộ xã Hà Mòn", 2, 2, 1, 2, "ocell1", ""},
		{on(2016, 1, 1), "odist", "Đảng bộ xã Hà Mòn", 2, 2, 1, 2, "ocell2", ""},
		{on(2019, 6, 1), "odist", "Đảng bộ xã Hà Mòn", 2, 1, 1, 2, "ocell2", ""},
		{on(2019, 12, 31), "odist", "Đảng bộ xã Hà Mòn", 2, 1, 1, 2, "ocell2", ""},
		{on(2020, 1, 1), "oprov", "Đảng bộ xã Hà Mòn mới", 2, 1, 0, 2, "ocell2", ""},
		{on(2021, 1, 1), "oprov", "Đảng bộ xã Hà Mòn mới", 2, 2, 0, 2, "ocell2", ""},
	} {
		comm, err := f.s.Org(f.ctx, tc.view, "ocomm")
		if err != nil || comm.ParentID != tc.parent || comm.Name != tc.name {
			t.Fatalf("%s: commune = %+v, %v", tc.view.At, comm, err)
		}
		prov, _ := f.s.Org(f.ctx, tc.view, "oprov")
		pc := prov.Counts
		if pc.Members() != tc.members || pc.Official != tc.official || pc.ByKind[org.District] != tc.districts || pc.ByKind[org.Cell] != tc.cells {
			t.Fatalf("%s: province counts = %+v", tc.view.At, pc)
		}
		m1, err := f.s.Member(f.ctx, tc.view, "m1")
		if err != nil || m1.CellID != tc.m1Cell {
			t.Fatalf("%s: m1 = %+v, %v", tc.view.At, m1, err)
		}
	}
	// m3 was a member, with a residence link, from 2010 to 2018 only.
	if m, err := f.s.Member(f.ctx, on(2017, 1, 1), "m3"); err != nil || m.ResidenceCellID != "ocell2" {
		t.Fatalf("m3 in 2017 = %+v, %v", m, err)
	}
	_, err := f.s.Member(f.ctx, on(2018, 1, 1), "m3")
	wantCode(t, err, org.ENotFound, "")
	if p, _ := f.s.Residents(f.ctx, on(2017, 1, 1), "ocell2", org.PageQuery{First: 5}); p.Total != 1 {
		t.Fatalf("residents in 2017 = %+v", p)
	}
	// m2 was on probation until 2020-06-01.
	if m, _ := f.s.Member(f.ctx, on(2020, 5, 31), "m2"); m.Status != org.Probationary {
		t.Fatalf("m2 before confirmation = %+v", m)
	}
	// The district ended on 2020-01-01.
	if _, err := f.s.Org(f.ctx, on(2020, 1, 1), "odist"); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("district after it ended: %v", err)
	}
	if page, _ := f.s.Children(f.ctx, on(2019, 1, 1), "odist", org.PageQuery{First: 5}, nil); page.Total != 1 {
		t.Fatalf("district children in 2019 = %+v", page)
	}
	if page, _ := f.s.Children(f.ctx, on(2020, 1, 1), "oprov", org.PageQuery{First: 5}, nil); page.Total != 1 || page.Orgs[0].ID != "ocomm" {
		t.Fatalf("province children in 2020 = %+v", page)
	}
	if path, _ := f.s.Path(f.ctx, on(2019, 1, 1), "ocell1"); len(path) != 4 || path[1].ID != "odist" {
		t.Fatalf("path in 2019 = %v", path)
	}
	if page, _ := f.s.CellMembers(f.ctx, on(2012, 1, 1), "ocell1", org.PageQuery{First: 5}); page.Total != 2 {
		t.Fatalf("cell 1 members in 2012 = %+v", page)
	}
	// Names are searched as they were on the date.
	hits, _ := f.s.Search(f.ctx, on(2019, 1, 1), org.SearchQuery{Text: "ha mon moi", First: 5})
	if len(hits) != 0 {
		t.Fatalf("the new name was found before the rename: %+v", hits)
	}
	hits, _ = f.s.Search(f.ctx, on(2020, 1, 1), org.SearchQuery{Text: "ha mon moi", First: 5})
	if len(hits) != 1 || hits[0].Org == nil || hits[0].Org.ID != "ocomm" || len(hits[0].Path) != 2 {
		t.Fatalf("search after the rename = %+v", hits)
	}
}

func testSearch(t *testing.T, f *fixture) {
	c := f.commune()
	an := f.createMember(c.village.ID, "Nguyễn Văn An", org.Official)
	f.createMember(c.village.ID, "Nguyễn Văn Anh", org.Official)
	f.createMember(c.agencyCell.ID, "Nguyễn Văn An", org.Official)
	f.createMember(c.school.ID, "Đặng Thị Hồng", org.Official)
	hits, err := f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "van an nguyen", First: 10})
	if err != nil || len(hits) != 3 {
		t.Fatalf("search = %+v, %v", hits, err)
	}
	if hits[0].Member == nil || hits[0].Member.FullName != "Nguyễn Văn An" || hits[2].Member.FullName != "Nguyễn Văn Anh" ||
		!(hits[0].Score > hits[2].Score) {
		t.Fatalf("ranking: %+v", hits)
	}
	hits, _ = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "NGUYEN VAN AN", First: 10, Within: []string{c.commune.ID}})
	if len(hits) != 2 || hits[0].Member.ID != an.ID {
		t.Fatalf("within the commune: %+v", hits)
	}
	if p := hits[0].Path; len(p) != 4 || p[0].ID != c.province.ID || p[3].ID != c.village.ID {
		t.Fatalf("member path = %v", p)
	}
	// "đặng" also matches the "Đảng" of "Đảng bộ xã Tam Hồng", but a person
	// named by both words ranks above an organisation matched on generic words.
	hits, _ = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "đặng hồng", First: 10})
	if len(hits) != 2 || hits[0].Member == nil || hits[0].Member.FullName != "Đặng Thị Hồng" || hits[1].Org == nil {
		t.Fatalf("diacritics in the query: %+v", hits)
	}
	hits, _ = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "tam hong", First: 10})
	if len(hits) != 2 || hits[0].Org == nil || hits[0].Org.ID != c.commune.ID || hits[1].Org.ID != c.school.ID {
		t.Fatalf("tam hong: %+v", hits)
	}
	if p := hits[0].Path; len(p) != 3 || p[2].ID != c.commune.ID || p[1].ID != c.district.ID {
		t.Fatalf("org path = %v", p)
	}
	hits, _ = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "hong", First: 10, Types: []org.SearchType{org.SearchMembers}})
	if len(hits) != 1 || hits[0].Member == nil {
		t.Fatalf("members only: %+v", hits)
	}
	hits, _ = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "an", First: 2})
	if len(hits) != 2 {
		t.Fatalf("first: 2 gave %d hits", len(hits))
	}
	_, err = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "  ", First: 5})
	wantCode(t, err, org.EInvalid, "")
	_, err = f.s.Search(f.ctx, f.now(), org.SearchQuery{Text: "an", First: 5, Within: []string{"onope"}})
	wantCode(t, err, org.ENotFound, "")
}

func testImportExport(t *testing.T, f *fixture) {
	f.importRecords(history())
	first := exportAll(t, f)
	if len(first) != 8 {
		t.Fatalf("exported %d records, want 8", len(first))
	}
	for i, r := range first {
		if (i < 5) != (r.Org != nil) {
			t.Fatalf("record %d: organisations must come before members", i)
		}
	}
	_, err := f.s.Import(f.ctx, &Records{Recs: history()})
	wantCode(t, err, org.EConflict, "")
	if !reflect.DeepEqual(withoutRevs(first), withoutRevs(history())) {
		t.Fatalf("export differs from what was imported:\n%+v", first)
	}
	// What one store exports, another imports and exports the same.
	other := f.open(t)
	t.Cleanup(func() { other.Close() })
	if _, err := other.Import(f.ctx, &Records{Recs: first}); err != nil {
		t.Fatal(err)
	}
	if second := exportAll(t, &fixture{t: t, ctx: f.ctx, s: other}); !reflect.DeepEqual(withoutRevs(second), withoutRevs(first)) {
		t.Fatalf("round trip changed the dataset:\n%+v\n%+v", first, second)
	}
}

// withoutRevs copies records in id order (organisations first, history
// last) with their revision counters cleared: a store numbers its writes its
// own way.
func withoutRevs(recs []org.Record) []org.Record {
	recs = slices.Clone(recs)
	key := func(r org.Record) string {
		switch {
		case r.Org != nil:
			return "0" + r.Org.ID
		case r.Member != nil:
			return "1" + r.Member.ID
		}
		return fmt.Sprintf("2%020d", r.Change.Seq)
	}
	slices.SortFunc(recs, func(a, b org.Record) int { return strings.Compare(key(a), key(b)) })
	out := make([]org.Record, len(recs))
	for i, r := range recs {
		switch {
		case r.Change != nil:
			out[i] = r
		case r.Org != nil:
			o := r.Org.Clone()
			o.Rev, o.Ratings = 0, nil
			out[i].Org = &o
		default:
			m := r.Member.Clone()
			m.Rev = 0
			m.Stints, m.Residences, m.Roles, m.Ratings = nilIfEmpty(m.Stints), nilIfEmpty(m.Residences), nilIfEmpty(m.Roles), nilIfEmpty(m.Ratings)
			out[i].Member = &m
		}
	}
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func exportAll(t *testing.T, f *fixture) []org.Record {
	t.Helper()
	var w Records
	if err := f.s.Export(f.ctx, &w); err != nil {
		t.Fatal(err)
	}
	return w.Recs
}

func testImportRejects(t *testing.T, f *fixture) {
	bad := []func([]org.Record){
		func(r []org.Record) { r[3].Org.Versions[0].ParentID = "oprov" },                // a cell under a province (R5)
		func(r []org.Record) { r[5].Member.Stints[0].CellID = "ocomm" },                 // a member in a committee (R5)
		func(r []org.Record) { r[5].Member.Stints[0].CellID = "onope" },                 // a missing cell
		func(r []org.Record) { r[7].Member.Residences[0].CellID = "ocell1" },            // residence in own cell (R6)
		func(r []org.Record) { r[5].Member.Stints[1].Since = org.DateFrom(2015, 1, 1) }, // two official cells at once (R6)
		func(r []org.Record) { r[4], r[5] = r[5], r[4] },                                // a member before an organisation
		func(r []org.Record) { r[6].Member.ID = "m1" },                                  // a duplicate id
	}
	for i, mutate := range bad {
		recs := history()
		mutate(recs)
		if _, err := f.s.Import(f.ctx, &Records{Recs: recs}); err == nil {
			t.Fatalf("case %d: invalid dataset imported", i)
		}
		if empty, _ := f.s.Empty(f.ctx); !empty {
			t.Fatalf("case %d: a refused import left data behind", i)
		}
	}
}

func testConcurrentWrites(t *testing.T, f *fixture) {
	c := f.commune()
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := f.svc.CreateMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: fmt.Sprintf("Đảng viên %02d", i), Status: org.Probationary})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
		} else if org.ErrorCode(err) != org.EConflict {
			t.Fatalf("concurrent write failed: %v", err)
		}
	}
	if got := f.org(c.province.ID).Counts.Members(); got != int32(ok) || ok == 0 {
		t.Fatalf("%d writes succeeded but the province counts %d members", ok, got)
	}
	if page, _ := f.s.CellMembers(f.ctx, f.now(), c.village.ID, org.PageQuery{First: 100}); page.Total != ok {
		t.Fatalf("cell lists %d members, %d written", page.Total, ok)
	}
}

func testStaleWrite(t *testing.T, f *fixture) {
	c := f.commune()
	var stale org.OrgRecord
	if err := f.s.Update(f.ctx, func(tx org.Tx) (err error) { stale, err = tx.Org(f.ctx, c.village.ID); return err }); err != nil {
		t.Fatal(err)
	}
	rename := func(r org.OrgRecord, name string) error {
		return f.s.Update(f.ctx, func(tx org.Tx) error {
			r.Versions[0].Name = name
			return tx.PutOrg(f.ctx, r)
		})
	}
	if err := rename(stale.Clone(), "Chi bộ thôn Đông Một"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, rename(stale.Clone(), "Chi bộ thôn Đông Hai"), org.EConflict, "")
	if got := f.org(c.village.ID).Name; got != "Chi bộ thôn Đông Một" {
		t.Fatalf("name after a stale write = %q", got)
	}
	// A new record under an id that exists is a stale write too.
	wantCode(t, f.s.Update(f.ctx, func(tx org.Tx) error {
		return tx.PutOrg(f.ctx, org.OrgRecord{ID: c.village.ID, Versions: stale.Versions})
	}), org.EConflict, "")
}

func testFailedUpdate(t *testing.T, f *fixture) {
	c := f.commune()
	boom := errors.New("boom")
	err := f.s.Update(f.ctx, func(tx org.Tx) error {
		if err := tx.PutOrg(f.ctx, org.OrgRecord{ID: "onew", Versions: []org.Version{{Span: org.Span{Since: today, Until: org.Forever},
			ParentID: c.commune.ID, Name: "Chi bộ mới", Kind: org.Cell, Sector: org.SectorVillage}}}); err != nil {
			return err
		}
		r, err := tx.Org(f.ctx, "onew") // a transaction reads its own writes
		if err != nil || r.Versions[0].Name != "Chi bộ mới" {
			t.Errorf("read own write = %+v, %v", r, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v", err)
	}
	if _, err := f.s.Org(f.ctx, f.now(), "onew"); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("a failed update left its write: %v", err)
	}
	if n := f.org(c.commune.ID).Counts.Children; n != 3 {
		t.Fatalf("commune has %d children", n)
	}
}

func testView(t *testing.T, f *fixture) {
	c := f.commune()
	const name = "Đảng ủy xã đổi tên trong View"
	err := f.s.View(f.ctx, func(tx org.Tx) error {
		r, err := tx.Org(f.ctx, c.commune.ID)
		if err != nil {
			return err
		}
		r.Versions[len(r.Versions)-1].Name = name
		return tx.PutOrg(f.ctx, r)
	})
	if err != nil {
		t.Fatalf("View = %v", err)
	}
	if o := f.org(c.commune.ID); o.Name == name {
		t.Fatal("a View wrote what it put")
	}
}

// testSameErrors: every store words NOT_FOUND, a stale write and an import
// into a store with data as the domain does, so that all answer alike.
func testSameErrors(t *testing.T, f *fixture) {
	c := f.commune()
	want := func(err error, want *org.Error) {
		t.Helper()
		if org.ErrorCode(err) != want.Code || org.ErrorMessage(err) != want.Message {
			t.Errorf("error %v, want %s %q", err, want.Code, want.Message)
		}
	}
	_, err := f.s.Org(f.ctx, f.now(), "onope")
	want(err, org.NotFound(org.WhatOrg, "onope"))
	_, err = f.s.Member(f.ctx, f.now(), "mnope")
	want(err, org.NotFound(org.WhatMember, "mnope"))
	_, err = f.s.Scenario(f.ctx, "snope")
	want(err, org.NotFound(org.WhatScenario, "snope"))
	want(f.s.Update(f.ctx, func(tx org.Tx) error { _, err := tx.Org(f.ctx, "onope"); return err }), org.NotFound(org.WhatOrg, "onope"))
	want(f.s.Update(f.ctx, func(tx org.Tx) error { _, err := tx.Member(f.ctx, "mnope"); return err }), org.NotFound(org.WhatMember, "mnope"))

	want(f.s.Update(f.ctx, func(tx org.Tx) error {
		r, err := tx.Org(f.ctx, c.village.ID)
		if err != nil {
			return err
		}
		r.Rev--
		return tx.PutOrg(f.ctx, r)
	}), org.Stale(org.WhatOrg, c.village.ID))
	sc, err := f.scn.Create(f.ctx, "Phương án", c.commune.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc.Rev--
	want(f.s.Update(f.ctx, func(tx org.Tx) error { return tx.PutScenario(f.ctx, sc) }), org.Stale(org.WhatScenario, sc.ID))

	_, err = f.s.Import(f.ctx, &Records{})
	want(err, org.ErrNotEmpty)
}

// Records is a dataset held in memory: a RecordReader over Recs, and a
// RecordWriter that appends to them.
type Records struct {
	Recs []org.Record
	next int
}

func (r *Records) Read() (org.Record, error) {
	if r.next == len(r.Recs) {
		return org.Record{}, io.EOF
	}
	r.next++
	return r.Recs[r.next-1], nil
}

func (r *Records) Write(rec org.Record) error { r.Recs = append(r.Recs, rec); return nil }
