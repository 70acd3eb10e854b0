package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/org"
)

func testCovers(t *testing.T, f *fixture) {
	c := f.commune()
	got, err := f.s.Covers(f.ctx, f.now(), []string{c.commune.ID, c.agency.ID},
		[]string{c.village.ID, c.commune.ID, c.district.ID, c.agencyCell.ID, c.province.ID, "onope"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false, true, false, false}; !slices.Equal(got, want) {
		t.Fatalf("Covers = %v, want %v", got, want)
	}
	// Before the organisations existed, nothing is covered.
	got, _ = f.s.Covers(f.ctx, org.View{At: today.AddDays(-1)}, []string{c.commune.ID}, []string{c.village.ID, c.commune.ID})
	if slices.Contains(got, true) {
		t.Fatalf("Covers before creation = %v", got)
	}
	// CoversOn answers each on its own date as Covers does on that date;
	// after the village moves to the agency, it is the agency's.
	moved := today.AddDays(10)
	if _, err := f.svc.TransferOrg(f.ctx, c.village.ID, c.agency.ID, f.byOn(c.province.ID, moved)); err != nil {
		t.Fatal(err)
	}
	roots := []string{c.commune.ID}
	var asks []org.DatedID
	var want []bool
	for _, d := range []org.Date{today.AddDays(-1), today, moved - 1, moved, moved + 1} {
		ids := []string{c.village.ID, c.commune.ID, c.agencyCell.ID, c.district.ID, "onope"}
		covered, err := f.s.Covers(f.ctx, org.View{At: d}, roots, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			asks = append(asks, org.DatedID{At: d, ID: id})
			want = append(want, covered[i])
		}
	}
	got, err = f.s.CoversOn(f.ctx, roots, asks)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("CoversOn = %v, Covers on each date = %v", got, want)
	}
	if !want[5] || want[15] {
		t.Fatalf("the village is the commune's before it moves and not after: %v", want)
	}
}

// accessFixture is the commune fixture with members and a residence link that
// crosses scopes: an agency member of the provincial bloc lives in the commune.
type accessFixture struct {
	c                           commune
	villager, teacher, official string
}

func (f *fixture) accessFixture() accessFixture {
	a := accessFixture{c: f.commune()}
	a.villager = f.createMember(a.c.village.ID, "Nguyễn Văn An", org.Official).ID
	a.teacher = f.createMember(a.c.school.ID, "Trần Thị Bình", org.Official).ID
	a.official = f.createMember(a.c.agencyCell.ID, "Lê Văn Cường", org.Official).ID
	if _, err := f.svc.SetResidence(f.ctx, a.official, a.c.village.ID, f.by(a.c.agency.ID)); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// as returns a context in which principal p calls.
func (f *fixture) as(roles []org.AccessRole, scope ...string) context.Context {
	return org.WithPrincipal(context.Background(), &org.Principal{Subject: "test", Roles: roles, Scope: scope})
}

// errorText is what a caller sees of an error: code and message.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return org.ErrorCode(err) + ": " + org.ErrorMessage(err)
}

func testAccessControl(t *testing.T, f *fixture) {
	a := f.accessFixture()
	viewer := []org.AccessRole{org.Viewer}
	officer := []org.AccessRole{org.Officer}
	organiser := []org.AccessRole{org.Organiser}
	v := f.now()

	// Without a principal, nothing is answered.
	_, err := f.svc.Roots(context.Background(), v)
	wantCode(t, err, org.EUnauthorized, "")

	communeOnly := f.as(viewer, a.c.commune.ID)
	roots, err := f.svc.Roots(communeOnly, v)
	if err != nil || len(roots) != 1 || roots[0].ID != a.c.commune.ID {
		t.Fatalf("roots of a commune viewer = %v, %v", roots, err)
	}
	// Nested scope ids make one root.
	if roots, _ := f.svc.Roots(f.as(viewer, a.c.village.ID, a.c.commune.ID), v); len(roots) != 1 || roots[0].ID != a.c.commune.ID {
		t.Fatalf("nested scope roots = %v", roots)
	}

	// An organisation or member outside the scope answers exactly as one that
	// does not exist.
	outside := map[string]func(ctx context.Context, id string) error{
		"Org": func(ctx context.Context, id string) error { _, err := f.svc.Org(ctx, v, id); return err },
		"Children": func(ctx context.Context, id string) error {
			_, err := f.svc.Children(ctx, v, id, org.PageQuery{First: 5}, nil)
			return err
		},
		"Path": func(ctx context.Context, id string) error { _, err := f.svc.Path(ctx, v, id); return err },
		"CellMembers": func(ctx context.Context, id string) error {
			_, err := f.svc.CellMembers(ctx, v, id, org.PageQuery{First: 5})
			return err
		},
		"Residents": func(ctx context.Context, id string) error {
			_, err := f.svc.Residents(ctx, v, id, org.PageQuery{First: 5})
			return err
		},
		"Search within": func(ctx context.Context, id string) error {
			_, err := f.svc.Search(ctx, v, org.SearchQuery{Text: "chi bo", First: 5, Within: []string{id}})
			return err
		},
	}
	for name, read := range outside {
		missing := "o0000000000000000"
		want := strings.ReplaceAll(errorText(read(communeOnly, missing)), missing, "ID")
		for _, id := range []string{a.c.agencyCell.ID, a.c.district.ID, a.c.province.ID} {
			got := strings.ReplaceAll(errorText(read(communeOnly, id)), id, "ID")
			if org.ErrorCode(read(communeOnly, id)) != org.ENotFound || got != want {
				t.Errorf("%s outside the scope answers %q, for a missing id %q", name, got, want)
			}
		}
	}
	// The messages differ only by the id they name.
	e1, e2 := errorText(outside["Org"](communeOnly, a.c.bloc.ID)), errorText(outside["Org"](communeOnly, "onope"))
	if e1 != fmt.Sprintf("NOT_FOUND: không tìm thấy tổ chức %q", a.c.bloc.ID) || e2 != `NOT_FOUND: không tìm thấy tổ chức "onope"` {
		t.Fatalf("not found messages: %q, %q", e1, e2)
	}
	_, err = f.svc.Member(communeOnly, v, a.official)
	_, err2 := f.svc.Member(communeOnly, v, "mnope")
	if org.ErrorCode(err) != org.ENotFound || org.ErrorCode(err2) != org.ENotFound {
		t.Fatalf("member outside the scope: %v / %v", err, err2)
	}

	// Inside: the path starts at the scope, counts are the subtree's own.
	path, err := f.svc.Path(communeOnly, v, a.c.village.ID)
	if err != nil || len(path) != 2 || path[0].ID != a.c.commune.ID {
		t.Fatalf("path in scope = %v, %v", path, err)
	}
	if o, err := f.svc.Org(communeOnly, v, a.c.commune.ID); err != nil || o.Counts.Members() != 2 {
		t.Fatalf("commune in scope = %+v, %v", o.Counts, err)
	}
	// Residents: the agency member living in the village is outside the scope.
	if page, err := f.svc.Residents(communeOnly, v, a.c.village.ID, org.PageQuery{First: 5}); err != nil || page.Total != 0 {
		t.Fatalf("residents seen by the commune = %+v, %v", page, err)
	}
	if page, _ := f.svc.Residents(f.ctx, v, a.c.village.ID, org.PageQuery{First: 5}); page.Total != 1 {
		t.Fatalf("residents seen by the system = %+v", page)
	}
	// The bloc's viewer sees its member but not the village they live in.
	blocOnly := f.as(viewer, a.c.bloc.ID)
	if m, err := f.svc.Member(blocOnly, v, a.official); err != nil || m.ResidenceCellID != "" {
		t.Fatalf("bloc member seen by the bloc = %+v, %v", m, err)
	}
	// Search finds only what lies in scope, with paths from the scope's top.
	hits, err := f.svc.Search(communeOnly, v, org.SearchQuery{Text: "van", First: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Member != nil && h.Member.ID == a.official {
			t.Fatal("search leaked a member outside the scope")
		}
		if h.Path[0].ID != a.c.commune.ID {
			t.Fatalf("search path starts at %s", h.Path[0].Name)
		}
	}
	if len(hits) != 1 || hits[0].Member == nil || hits[0].Member.ID != a.villager {
		t.Fatalf("search in scope = %+v", hits)
	}
	orgs, _ := f.svc.Orgs(communeOnly, v, []string{a.c.village.ID, a.c.agency.ID})
	if orgs[0].ID != a.c.village.ID || orgs[1].ID != "" {
		t.Fatalf("Orgs across the scope = %v", orgs)
	}

	// Writes: the role must allow the operation, and every end must lie in scope.
	writes := []struct {
		name  string
		ctx   context.Context
		write func(ctx context.Context) error
		code  string
	}{
		{"viewer creates a cell", communeOnly, func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{ParentID: a.c.commune.ID, Name: "Chi bộ mới", Kind: org.Cell, Sector: org.SectorVillage})
			return err
		}, org.EForbidden},
		{"officer creates a cell", f.as(officer, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{ParentID: a.c.commune.ID, Name: "Chi bộ mới", Kind: org.Cell, Sector: org.SectorVillage})
			return err
		}, org.EForbidden},
		{"organiser creates a cell outside", f.as(organiser, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{ParentID: a.c.agency.ID, Name: "Chi bộ mới", Kind: org.Cell, Sector: org.SectorAgency})
			return err
		}, org.ENotFound},
		{"organiser creates a province", f.as(organiser, a.c.province.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{Name: "Tỉnh mới", Kind: org.Province})
			return err
		}, org.EForbidden},
		{"organiser records a member", f.as(organiser, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateMember(ctx, org.NewMember{CellID: a.c.village.ID, FullName: "Mới", Status: org.Probationary})
			return err
		}, org.EForbidden},
		{"officer records a member outside", f.as(officer, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateMember(ctx, org.NewMember{CellID: a.c.agencyCell.ID, FullName: "Mới", Status: org.Probationary})
			return err
		}, org.ENotFound},
		{"officer links across scopes", f.as(officer, a.c.bloc.ID), func(ctx context.Context) error {
			_, err := f.svc.SetResidence(ctx, a.official, a.c.village2.ID, f.by(a.c.agency.ID))
			return err
		}, org.ENotFound},
		{"organiser creates a cell inside", f.as(organiser, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{ParentID: a.c.commune.ID, Name: "Chi bộ thôn Bắc", Kind: org.Cell, Sector: org.SectorVillage})
			return err
		}, ""},
		{"officer records a member inside", f.as(officer, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.CreateMember(ctx, org.NewMember{CellID: a.c.village2.ID, FullName: "Phạm Thị Dung", Status: org.Probationary})
			return err
		}, ""},
		{"officer of both ends links", f.as(officer, a.c.bloc.ID, a.c.commune.ID), func(ctx context.Context) error {
			_, err := f.svc.SetResidence(ctx, a.official, a.c.village2.ID, f.by(a.c.agency.ID))
			return err
		}, ""},
		{"admin creates a province", f.as([]org.AccessRole{org.Admin}), func(ctx context.Context) error {
			_, err := f.svc.CreateOrg(ctx, org.NewOrg{Name: "Đảng bộ tỉnh Lai Châu", Kind: org.Province})
			return err
		}, ""},
	}
	for _, w := range writes {
		before := exportAll(t, f)
		err := w.write(w.ctx)
		if org.ErrorCode(err) != w.code && !(w.code == "" && err == nil) {
			t.Errorf("%s: error %v, want %q", w.name, err, w.code)
		}
		if after := exportAll(t, f); w.code != "" && !reflect.DeepEqual(withoutRevs(after), withoutRevs(before)) {
			t.Errorf("%s: a refused write changed the data", w.name)
		}
	}
	var e *org.Error
	if _, err := f.svc.Roots(f.as(nil, a.c.commune.ID), v); !errors.As(err, &e) || e.Code != org.EForbidden {
		t.Fatalf("a principal without roles: %v", err)
	}
}

func testAudit(t *testing.T, f *fixture) {
	c := f.commune()
	viewer := f.as([]org.AccessRole{org.Viewer}, c.commune.ID)
	_, err := f.svc.CreateOrg(viewer, org.NewOrg{ParentID: c.commune.ID, Name: "Chi bộ", Kind: org.Cell})
	wantCode(t, err, org.EForbidden, "")
	var w Records
	if err := f.svc.Export(f.ctx, &w); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AuditLog(viewer, org.AuditQuery{First: 10})
	wantCode(t, err, org.EForbidden, "")

	page, err := f.svc.AuditLog(f.ctx, org.AuditQuery{First: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || !page.HasNext {
		t.Fatalf("first page = %+v", page)
	}
	export, refused := page.Entries[0], page.Entries[1]
	if export.Action != "export" || export.Subject != "system" || export.Outcome != "" ||
		refused.Action != "createOrg" || refused.Subject != "test" || refused.Outcome != org.EForbidden ||
		!slices.Equal(refused.Roles, []org.AccessRole{org.Viewer}) || !strings.Contains(refused.Target, c.commune.ID) ||
		!(export.Seq > refused.Seq) || refused.At.IsZero() {
		t.Fatalf("newest entries = %+v", page.Entries)
	}
	// The nine organisations of the fixture were created before, oldest last.
	var all []org.AuditEntry
	for q := (org.AuditQuery{First: 4}); ; {
		page, err := f.svc.AuditLog(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Entries...)
		if !page.HasNext {
			break
		}
		q.Before = page.Entries[len(page.Entries)-1].Seq
	}
	if len(all) != 11 || all[10].Action != "createOrg" || !strings.Contains(all[10].Target, c.province.ID) {
		t.Fatalf("%d entries, oldest %+v", len(all), all[len(all)-1])
	}
	if n, err := f.svc.AuditCount(f.ctx); err != nil || n != len(all) {
		t.Fatalf("AuditCount = %d, %v; paging read %d entries", n, err, len(all))
	}
	_, err = f.svc.AuditCount(viewer)
	wantCode(t, err, org.EForbidden, "")
	for i := 1; i < len(all); i++ {
		if all[i].Seq >= all[i-1].Seq {
			t.Fatalf("entries out of order: %d then %d", all[i-1].Seq, all[i].Seq)
		}
	}
}

// testSameDayMovesAndScope: on the day a cell moves from one commune to
// another, what happened to it before the move (in the day's sequence) is
// the former owner's history, and what happened after it the new owner's.
func testSameDayMovesAndScope(t *testing.T, f *fixture) {
	c := f.commune()
	day := today.AddDays(5)
	early, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: "Trần Văn Sớm"}, f.byOn(c.commune.ID, day))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TransferOrg(f.ctx, c.village.ID, c.agency.ID, f.byOn(c.province.ID, day)); err != nil {
		t.Fatal(err)
	}
	late, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: "Lê Thị Muộn"}, f.byOn(c.agency.ID, day))
	if err != nil {
		t.Fatal(err)
	}
	lists := func(scope string) map[int64]org.Change {
		ctx := f.as([]org.AccessRole{org.Viewer}, scope)
		page, err := f.svc.Changes(ctx, org.ChangeQuery{Since: day, Until: day + 1, First: org.MaxPageSize})
		if err != nil {
			t.Fatalf("changes of %s: %v", scope, err)
		}
		counts, err := f.svc.ChangeCounts(ctx, org.ChangeQuery{Since: day, Until: day + 1})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]org.Change{}
		var listed org.ChangeCounts
		for _, ch := range page.Changes {
			out[ch.Seq] = ch
			listed[ch.Type]++
		}
		if listed != counts {
			t.Errorf("the caller of %s counts %v but lists %v", scope, counts, listed)
		}
		return out
	}
	former, owner := lists(c.commune.ID), lists(c.agency.ID)
	if ch, ok := former[early.Seq]; !ok || len(ch.After) == 0 {
		t.Errorf("the commune does not read its own admission of the morning: %+v", ch)
	}
	if _, ok := former[late.Seq]; ok {
		t.Errorf("the commune reads the agency's admission after the cell moved")
	}
	if _, ok := owner[late.Seq]; !ok {
		t.Errorf("the agency does not read its own admission")
	}
	if _, ok := owner[early.Seq]; ok {
		t.Errorf("the agency reads the commune's admission before the cell moved")
	}
}

// testResidentsLeaving: a village's history lists a resident's link leaving
// it, as the other village's lists it arriving, and a link ended.
func testResidentsLeaving(t *testing.T, f *fixture) {
	a := f.accessFixture() // the official lives in the eastern village
	c := a.c
	moved, err := f.svc.SetResidence(f.ctx, a.official, c.village2.ID, f.byOn(c.agency.ID, today.AddDays(3)))
	if err != nil {
		t.Fatal(err)
	}
	ended, err := f.svc.EndResidence(f.ctx, a.official, f.byOn(c.agency.ID, today.AddDays(4)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		village string
		want    []int64
	}{{c.village.ID, []int64{moved.Seq}}, {c.village2.ID, []int64{moved.Seq, ended.Seq}}} {
		ctx := f.as([]org.AccessRole{org.Viewer}, tc.village)
		page, err := f.svc.Changes(ctx, org.ChangeQuery{Since: today.AddDays(1), First: org.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, ch := range page.Changes {
			got = append(got, ch.Seq)
			if slices.Contains(ch.Subjects, a.official) {
				t.Errorf("the village's viewer reads the resident of another cell: %+v", ch)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("the history of %s lists %v, want %v", tc.village, got, tc.want)
		}
	}
}
