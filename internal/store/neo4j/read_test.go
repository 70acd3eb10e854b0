package neo4j

import (
	"context"
	"reflect"
	"slices"
	"testing"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// ctx calls as the system, which may do everything.
var ctx = org.WithPrincipal(context.Background(), org.System)

// The open-ended counts of the dataset.
var (
	communeCounts  = counts(2, 3, 1, map[org.Kind]int32{org.Cell: 2}, map[org.Sector]int32{org.SectorVillage: 1, org.SectorSchool: 1})
	provinceCounts = counts(1, 3, 1, map[org.Kind]int32{org.District: 1, org.GrassrootsCommittee: 1, org.Cell: 2},
		map[org.Sector]int32{org.SectorVillage: 1, org.SectorSchool: 1})
)

func TestOrgReadsItsCountsWithItsRecord(t *testing.T) {
	s, f := loaded(t)
	o, err := s.Org(ctx, now(), "gc")
	if err != nil {
		t.Fatal(err)
	}
	want := org.Org{ID: "gc", Name: "Đảng ủy xã Tam Hồng", Kind: org.GrassrootsCommittee, Sector: org.SectorCommune,
		ParentID: "d", Since: renamedOn, EstablishedOn: founded, EndedOn: org.Forever,
		Ratings: []org.YearRating{{Year: 2020, Grade: org.Excellent}}, Counts: communeCounts}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got  %+v\nwant %+v", o, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"org_records"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"ids": []string{"gc"}, "at": dateParam(today)}) {
		t.Fatalf("org_records params %v", p)
	}
	if !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("transactions %v, want one read", f.modes)
	}
	if o, _ := s.Org(ctx, org.View{At: movedOn}, "c2"); o.Counts != cellCounts(2, 0) {
		t.Fatalf("on the day of the last change c2 counts %+v", o.Counts)
	}
}

// TestOrgCountsOnAnEarlierDate: the counts on a date before later changes
// are read in the same statement as the record, less the changes after it.
func TestOrgCountsOnAnEarlierDate(t *testing.T) {
	s, f := loaded(t)
	before := org.DateFrom(2021, 7, 1)
	c1, err := s.Org(ctx, org.View{At: before}, "c1")
	if err != nil {
		t.Fatal(err)
	}
	// m4 had not moved yet: two official members and the probationary m2.
	if c1.Counts != cellCounts(2, 1) {
		t.Fatalf("c1 counts %+v", c1.Counts)
	}
	if got := f.names(); !slices.Equal(got, []string{"org_records"}) || f.calls[0].params["at"] != dateParam(before) {
		t.Fatalf("statements %v, the first with %v", got, f.calls[0].params)
	}

	// Before the rename and before m2 was admitted; m3's temporary stint in c1
	// does not count there.
	early := org.View{At: org.DateFrom(2020, 3, 1)}
	gc, err := s.Org(ctx, early, "gc")
	if err != nil {
		t.Fatal(err)
	}
	want := counts(2, 3, 0, map[org.Kind]int32{org.Cell: 2}, map[org.Sector]int32{org.SectorVillage: 1, org.SectorSchool: 1})
	if gc.Name != "Đảng ủy xã Tam Hồng (cũ)" || gc.Since != founded || gc.Counts != want {
		t.Fatalf("gc early: %+v", gc)
	}
	if c1, _ := s.Org(ctx, early, "c1"); c1.Counts != cellCounts(2, 0) {
		t.Fatalf("c1 early counts %+v", c1.Counts)
	}
}

func TestOrgNotFound(t *testing.T) {
	s, _ := loaded(t)
	_, err := s.Org(ctx, now(), "nope")
	wantCode(t, err, org.ENotFound)
	_, err = s.Org(ctx, org.View{At: founded - 1}, "p")
	wantCode(t, err, org.ENotFound)
}

func TestOrgsInOrderWithZeroForMissing(t *testing.T) {
	s, f := loaded(t)
	orgs, err := s.Orgs(ctx, now(), []string{"c2", "nope", "p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 3 || orgs[0].ID != "c2" || orgs[1].ID != "" || orgs[2].ID != "p" || orgs[2].Counts != provinceCounts {
		t.Fatalf("orgs %+v", orgs)
	}
	if len(f.modes) != 1 {
		t.Fatalf("%d transactions, want one", len(f.modes))
	}
}

func TestRoots(t *testing.T) {
	s, f := loaded(t)
	roots, err := s.Roots(ctx, now())
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 1 || roots[0].ID != "p" || roots[0].Counts != provinceCounts || roots[0].Code != "VP" {
		t.Fatalf("roots %+v", roots)
	}
	if got := f.names(); !slices.Equal(got, []string{"roots_at", "org_records"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"at": dateParam(today)}) {
		t.Fatalf("roots_at params %v", p)
	}
	if roots, _ := s.Roots(ctx, org.View{At: founded - 1}); len(roots) != 0 {
		t.Fatalf("roots before founding %+v", roots)
	}
}

func TestChildrenPages(t *testing.T) {
	s, f := loaded(t)
	page, err := s.Children(ctx, now(), "gc", org.PageQuery{First: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Same kind, so by folded name: "chi bo thon dong" before "chi bo truong tieu hoc".
	if len(page.Orgs) != 1 || page.Orgs[0].ID != "c1" || !page.HasNext || page.Total != 2 || page.Orgs[0].Counts != cellCounts(1, 1) {
		t.Fatalf("first page %+v", page)
	}
	if got := f.names(); !slices.Equal(got, []string{"children_at", "org_records"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"id": "gc", "at": dateParam(today)}) {
		t.Fatalf("children_at params %v", p)
	}
	next, err := s.Children(ctx, now(), "gc", org.PageQuery{First: 1, After: org.ChildCursor(&page.Orgs[0])}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Orgs) != 1 || next.Orgs[0].ID != "c2" || next.HasNext || next.Orgs[0].Counts != cellCounts(2, 0) {
		t.Fatalf("second page %+v", next)
	}
	if none, _ := s.Children(ctx, now(), "gc", org.PageQuery{First: 5}, []org.Kind{org.PartialCommittee}); len(none.Orgs) != 0 || none.Total != 0 {
		t.Fatalf("partial committees %+v", none)
	}
	_, err = s.Children(ctx, now(), "nope", org.PageQuery{First: 5}, nil)
	wantCode(t, err, org.ENotFound)
	_, err = s.Children(ctx, now(), "gc", org.PageQuery{First: 5, After: "not a cursor"}, nil)
	wantCode(t, err, org.EInvalid)
}

func TestCovers(t *testing.T) {
	s, f := loaded(t)
	got, err := s.Covers(ctx, now(), []string{"gc"}, []string{"c1", "gc", "d", "p", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false, false, false}; !slices.Equal(got, want) {
		t.Fatalf("Covers = %v, want %v", got, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"paths_at", "org_records"}) {
		t.Fatalf("statements %v", got)
	}
	// Each on its own date, in one statement: nothing before the founding.
	f.reset()
	got, err = s.CoversOn(ctx, []string{"gc"}, []org.DatedID{{At: today, ID: "c1"}, {At: founded - 1, ID: "c1"}, {At: today, ID: "d"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, false}; !slices.Equal(got, want) {
		t.Fatalf("CoversOn = %v, want %v", got, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"covers_on"}) {
		t.Fatalf("statements %v", got)
	}
}

func TestPath(t *testing.T) {
	s, f := loaded(t)
	path, err := s.Path(ctx, now(), "c2")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range path {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []string{"p", "d", "gc", "c2"}) || path[0].Counts != provinceCounts || path[2].Counts != communeCounts {
		t.Fatalf("path %+v", path)
	}
	if got := f.names(); !slices.Equal(got, []string{"paths_at", "org_records"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; !reflect.DeepEqual(p, map[string]any{"ids": []string{"c2"}, "at": dateParam(today)}) {
		t.Fatalf("paths_at params %v", p)
	}
	_, err = s.Path(ctx, org.View{At: founded - 1}, "c2")
	wantCode(t, err, org.ENotFound)
}

func TestMember(t *testing.T) {
	s, f := loaded(t)
	m, err := s.Member(ctx, now(), "m4")
	if err != nil {
		t.Fatal(err)
	}
	want := org.Member{ID: "m4", FullName: "Phạm Thị Dung", Gender: org.Female, Status: org.Official,
		AdmittedOn: org.DateFrom(2008, 1, 1), OfficialOn: new(org.DateFrom(2009, 1, 1)), CellID: "c2"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got  %+v\nwant %+v", m, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"member_records"}) {
		t.Fatalf("statements %v", got)
	}
	if before, _ := s.Member(ctx, org.View{At: movedOn - 1}, "m4"); before.CellID != "c1" {
		t.Fatalf("m4 before moving: %+v", before)
	}
	if m3, _ := s.Member(ctx, now(), "m3"); m3.CellID != "c2" || m3.ResidenceCellID != "c1" {
		t.Fatalf("m3 %+v", m3)
	}
	_, err = s.Member(ctx, org.View{At: admitted - 1}, "m2")
	wantCode(t, err, org.ENotFound)
	members, err := s.Members(ctx, now(), []string{"m2", "nope"})
	if err != nil || len(members) != 2 || members[0].Status != org.Probationary || members[1].ID != "" {
		t.Fatalf("members %+v, %v", members, err)
	}
}

func TestCellMembersPages(t *testing.T) {
	s, f := loaded(t)
	page, err := s.CellMembers(ctx, now(), "c1", org.PageQuery{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Members) != 1 || page.Members[0].ID != "m1" || !page.HasNext || page.Total != 2 {
		t.Fatalf("first page %+v", page)
	}
	if got := f.names(); !slices.Equal(got, []string{"org_records", "cell_members_page", "member_records"}) {
		t.Fatalf("statements %v", got)
	}
	wantParams := map[string]any{"id": "c1", "at": dateParam(today), "afterKey": "", "afterId": "", "limit": int64(2)}
	if p := f.only("cell_members_page")[0].params; !reflect.DeepEqual(p, wantParams) {
		t.Fatalf("cell_members_page params %v", p)
	}
	f.reset()
	next, err := s.CellMembers(ctx, now(), "c1", org.PageQuery{First: 1, After: org.MemberCursor(&page.Members[0])})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Members) != 1 || next.Members[0].ID != "m2" || next.HasNext {
		t.Fatalf("second page %+v", next)
	}
	if p := f.only("cell_members_page")[0].params; p["afterKey"] != "nguyen van an" || p["afterId"] != "m1" {
		t.Fatalf("cursor params %v", p)
	}
	// m3's temporary stint in c1 does not make them a member of it.
	if early, _ := s.CellMembers(ctx, org.View{At: org.DateFrom(2020, 3, 1)}, "c1", org.PageQuery{First: 10}); early.Total != 2 ||
		early.Members[0].ID != "m1" || early.Members[1].ID != "m4" {
		t.Fatalf("early page %+v", early)
	}
	_, err = s.CellMembers(ctx, now(), "nope", org.PageQuery{First: 1})
	wantCode(t, err, org.ENotFound)
	f.reset()
	_, err = s.CellMembers(ctx, now(), "c1", org.PageQuery{First: 1, After: "###"})
	wantCode(t, err, org.EInvalid)
	if len(f.calls) != 0 {
		t.Fatalf("a bad cursor ran %v", f.names())
	}
}

func TestResidents(t *testing.T) {
	s, f := loaded(t)
	page, err := s.Residents(ctx, now(), "c1", org.PageQuery{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Members) != 1 || page.Members[0].ID != "m3" || page.HasNext || page.Total != 1 {
		t.Fatalf("residents %+v", page)
	}
	if got := f.names(); !slices.Equal(got, []string{"org_records", "residents_page", "member_records"}) {
		t.Fatalf("statements %v", got)
	}
	if before, _ := s.Residents(ctx, org.View{At: org.DateFrom(2018, 1, 1)}, "c1", org.PageQuery{First: 10}); before.Total != 0 {
		t.Fatalf("residents before the link %+v", before)
	}
}
