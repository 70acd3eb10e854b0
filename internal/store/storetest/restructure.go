package storetest

import (
	"sync"
	"testing"

	"dangbo/internal/org"
)

// orgOn is organisation id as of date d, or its NOT_FOUND.
func (f *fixture) orgOn(id string, d org.Date) (org.Org, error) {
	return f.s.Org(f.ctx, org.View{At: d}, id)
}

// history lists every change within id, by effective date.
func (f *fixture) history(id string) []org.Change {
	f.t.Helper()
	p, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: id, First: org.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Changes
}

// refused checks that an operation failed with code (and rule) and that the
// history did not grow.
func (f *fixture) refused(t *testing.T, within string, code, rule string, op func() (org.Change, error)) {
	t.Helper()
	before := len(f.history(within))
	_, err := op()
	wantCode(t, err, code, rule)
	if after := len(f.history(within)); after != before {
		t.Fatalf("a refused operation recorded %d changes", after-before)
	}
}

func testOrgOperations(t *testing.T, f *fixture) {
	c := f.commune()
	villager := f.createMember(c.village2.ID, "Nguyễn Văn Bình", org.Official)
	march, june, july := on(2021, 3, 1), on(2021, 6, 1), on(2021, 7, 1)

	// Establish, planned for March: absent before, present from then on.
	ch, err := f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: "Chi bộ thôn Bắc", Kind: org.Cell, Sector: org.SectorVillage},
		f.byOn(c.commune.ID, march))
	if err != nil || ch.Type != org.ChangeEstablished || ch.Seq == 0 || ch.EffectiveOn != march {
		t.Fatalf("EstablishOrg = %+v, %v", ch, err)
	}
	north := ch.Subjects[0]
	if _, err := f.orgOn(north, march-1); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("the cell exists before its effective date: %v", err)
	}
	if o, err := f.orgOn(north, march); err != nil || o.ParentID != c.commune.ID || o.Name != "Chi bộ thôn Bắc" {
		t.Fatalf("the cell on its effective date = %+v, %v", o, err)
	}
	if o, _ := f.orgOn(c.commune.ID, march-1); o.Counts.Children != 3 {
		t.Fatalf("commune children before = %d", o.Counts.Children)
	}
	if o, _ := f.orgOn(c.commune.ID, march); o.Counts.Children != 4 {
		t.Fatalf("commune children after = %d", o.Counts.Children)
	}
	f.refused(t, c.province.ID, org.ERule, "R9", func() (org.Change, error) {
		return f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: "Chi bộ thôn Nam", Kind: org.Cell, Sector: org.SectorVillage},
			f.by(c.district.ID))
	})
	f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
		m := f.by(c.commune.ID)
		m.EffectiveOn = today - 1
		return f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: "Chi bộ thôn Nam", Kind: org.Cell, Sector: org.SectorVillage}, m)
	})
	f.refused(t, c.province.ID, org.EConflict, "", func() (org.Change, error) {
		m := f.by(c.commune.ID)
		m.Decision.Number = ch.Decision.Number
		return f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: "Chi bộ thôn Nam", Kind: org.Cell, Sector: org.SectorVillage}, m)
	})
	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.commune.ID, Name: "Đảng bộ huyện X", Kind: org.District}, f.by(c.commune.ID))
	})

	// Rename in June: the old name before, the new one on and after.
	if _, err := f.svc.RenameOrg(f.ctx, c.commune.ID, "Đảng bộ xã Tam Hồng Mới", f.byOn(c.district.ID, june)); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.orgOn(c.commune.ID, june-1); o.Name != "Đảng bộ xã Tam Hồng" {
		t.Fatalf("name before = %q", o.Name)
	}
	if o, _ := f.orgOn(c.commune.ID, july); o.Name != "Đảng bộ xã Tam Hồng Mới" || o.Counts.Children != 4 {
		t.Fatalf("after the rename = %+v", o)
	}

	// Transfer the commune under the province in July: the province decides.
	f.refused(t, c.province.ID, org.ERule, "R9", func() (org.Change, error) {
		return f.svc.TransferOrg(f.ctx, c.commune.ID, c.province.ID, f.byOn(c.district.ID, july))
	})
	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.TransferOrg(f.ctx, c.district.ID, c.commune.ID, f.byOn(c.province.ID, july))
	})
	f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
		return f.svc.TransferOrg(f.ctx, c.commune.ID, c.commune.ID, f.byOn(c.province.ID, july))
	})
	if _, err := f.svc.TransferOrg(f.ctx, c.commune.ID, c.province.ID, f.byOn(c.province.ID, july)); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.orgOn(c.district.ID, july-1); d.Counts.Members() != 1 || d.Counts.Children != 1 {
		t.Fatalf("district before the transfer = %+v", d.Counts)
	}
	if d, _ := f.orgOn(c.district.ID, july); d.Counts.Members() != 0 || d.Counts.Children != 0 {
		t.Fatalf("district after the transfer = %+v", d.Counts)
	}
	if p, _ := f.s.Path(f.ctx, org.View{At: july}, c.village.ID); len(p) != 3 || p[1].ID != c.commune.ID {
		t.Fatalf("the subtree did not move with the commune: %v", p)
	}

	// Dissolve village 2: refused while its member has nowhere to go.
	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{}, f.byOn(c.commune.ID, july))
	})
	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.DissolveOrg(f.ctx, c.commune.ID, org.Destination{}, f.byOn(c.province.ID, july))
	})
	if _, err := f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{MembersTo: c.village.ID}, f.byOn(c.commune.ID, july)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: july - 1}, villager.ID); m.CellID != c.village2.ID {
		t.Fatalf("member before the dissolution = %+v", m)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: july}, villager.ID); m.CellID != c.village.ID {
		t.Fatalf("member after the dissolution = %+v", m)
	}
	if _, err := f.orgOn(c.village2.ID, july); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("dissolved cell still there: %v", err)
	}

	// Merge the school into the village, then change the kind of a new grassroots cell.
	f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
		return f.svc.MergeOrgs(f.ctx, []string{c.village.ID}, org.MergeTarget{ID: c.village.ID}, f.byOn(c.commune.ID, july))
	})
	teacher := f.createMember(c.school.ID, "Lê Thị Cúc", org.Official)
	aug := on(2021, 8, 1)
	if _, err := f.svc.MergeOrgs(f.ctx, []string{c.school.ID}, org.MergeTarget{ID: c.village.ID}, f.byOn(c.commune.ID, aug)); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.orgOn(c.village.ID, aug); v.Counts.Members() != 2 {
		t.Fatalf("village after the merger = %+v", v.Counts)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: aug}, teacher.ID); m.CellID != c.village.ID {
		t.Fatalf("teacher after the merger = %+v", m)
	}
	// Split the teacher off into a new cell.
	ch, err = f.svc.SplitOrg(f.ctx, c.village.ID, org.NewOrg{Name: "Chi bộ Trường học", Kind: org.Cell, Sector: org.SectorSchool},
		[]string{teacher.ID}, nil, f.byOn(c.commune.ID, aug.AddDays(10)))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: aug.AddDays(10)}, teacher.ID); m.CellID != ch.Subjects[1] {
		t.Fatalf("teacher after the split = %+v, new cell %s", m, ch.Subjects[1])
	}

	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.ChangeOrgKind(f.ctx, c.agency.ID, org.GrassrootsCell, nil, f.by(c.bloc.ID))
	})
	ch, err = f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: c.bloc.ID, Name: "Chi bộ Sở Nội vụ", Kind: org.GrassrootsCell, Sector: org.SectorAgency}, f.by(c.bloc.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangeOrgKind(f.ctx, ch.Subjects[0], org.GrassrootsCommittee, nil, f.byOn(c.bloc.ID, june)); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.orgOn(ch.Subjects[0], june); o.Kind != org.GrassrootsCommittee {
		t.Fatalf("kind after = %v", o.Kind)
	}
	if o, _ := f.orgOn(ch.Subjects[0], june-1); o.Kind != org.GrassrootsCell {
		t.Fatalf("kind before = %v", o.Kind)
	}

	// The history, by effective date, and its summary.
	hist := f.history(c.province.ID)
	var types []org.ChangeType
	for i, h := range hist {
		types = append(types, h.Type)
		if i > 0 && org.CompareChanges(&hist[i-1], &h) >= 0 {
			t.Fatalf("history out of order at %d", i)
		}
		if h.Actor != org.System.Subject || len(h.After) == 0 || h.Decision.Number == "" {
			t.Fatalf("change %d = %+v", i, h)
		}
	}
	sum, err := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: c.province.ID})
	if err != nil || sum[org.ChangeEstablished] != 2 || sum[org.ChangeRenamed] != 1 || sum[org.ChangeTransferred] != 1 ||
		sum[org.ChangeDissolved] != 1 || sum[org.ChangeMerged] != 1 || sum[org.ChangeSplit] != 1 || sum[org.ChangeKindChanged] != 1 {
		t.Fatalf("summary = %v, %v (history %v)", sum, err, types)
	}
	if sum, _ := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: c.bloc.ID}); sum[org.ChangeEstablished] != 1 || sum[org.ChangeRenamed] != 0 {
		t.Fatalf("bloc summary = %v", sum)
	}
	if sum, _ := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: c.province.ID, Since: july}); sum[org.ChangeEstablished] != 0 || sum[org.ChangeMerged] != 1 {
		t.Fatalf("summary since July = %v", sum)
	}
	page, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: c.province.ID, First: 2})
	if err != nil || len(page.Changes) != 2 || !page.HasNext {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	next, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: c.province.ID, First: 2, After: org.ChangeCursor(&page.Changes[1])})
	if err != nil || len(next.Changes) != 2 || next.Changes[0].Seq != hist[2].Seq {
		t.Fatalf("second page = %+v, %v", next, err)
	}
}

func testMemberOperations(t *testing.T, f *fixture) {
	c := f.commune()
	feb := on(2021, 2, 1)
	ch, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: "Đinh Văn Dũng", Gender: org.Male},
		f.byOn(c.commune.ID, feb))
	if err != nil {
		t.Fatal(err)
	}
	id := ch.Subjects[0]
	if _, err := f.s.Member(f.ctx, org.View{At: feb - 1}, id); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("member before admission: %v", err)
	}
	if m, err := f.s.Member(f.ctx, org.View{At: feb}, id); err != nil || m.Status != org.Probationary || m.AdmittedOn != feb {
		t.Fatalf("member on admission = %+v, %v", m, err)
	}
	f.refused(t, c.province.ID, org.ERule, "R7", func() (org.Change, error) {
		return f.svc.ConfirmOfficial(f.ctx, id, f.byOn(c.commune.ID, on(2021, 6, 1)))
	})
	official := on(2022, 2, 1)
	if _, err := f.svc.ConfirmOfficial(f.ctx, id, f.byOn(c.commune.ID, official)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: official - 1}, id); m.Status != org.Probationary {
		t.Fatalf("before confirmation: %v", m.Status)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: official}, id); m.Status != org.Official {
		t.Fatalf("after confirmation: %v", m.Status)
	}

	// Transfers: to a non-cell refused, temporary keeps the member counted at home.
	f.refused(t, c.province.ID, org.ERule, "R5", func() (org.Change, error) {
		return f.svc.TransferMember(f.ctx, id, c.commune.ID, 0, f.byOn(c.commune.ID, on(2022, 3, 1)))
	})
	mar, may := on(2022, 3, 1), on(2022, 5, 1)
	if _, err := f.svc.TransferMember(f.ctx, id, c.agencyCell.ID, may, f.byOn(c.province.ID, mar)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: mar}, id); m.CellID != c.village.ID {
		t.Fatalf("a temporary transfer moved the member: %+v", m)
	}
	if _, err := f.svc.TransferMember(f.ctx, id, c.school.ID, 0, f.byOn(c.commune.ID, may)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: may}, id); m.CellID != c.school.ID {
		t.Fatalf("after the transfer: %+v", m)
	}
	if v, _ := f.orgOn(c.village.ID, may); v.Counts.Members() != 0 {
		t.Fatalf("village after the transfer = %+v", v.Counts)
	}

	// Residence, roles, ratings.
	jun := on(2022, 6, 1)
	if _, err := f.svc.SetResidence(f.ctx, id, c.village.ID, f.byOn(c.commune.ID, jun)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AssignRole(f.ctx, id, c.commune.ID, org.Secretary, false, f.byOn(c.district.ID, jun)); err != nil {
		t.Fatal(err)
	}
	f.refused(t, c.province.ID, org.ERule, "R6", func() (org.Change, error) {
		return f.svc.AssignRole(f.ctx, id, c.agency.ID, org.Secretary, false, f.byOn(c.bloc.ID, jun))
	})
	if m, _ := f.s.Member(f.ctx, org.View{At: jun}, id); m.ResidenceCellID != c.village.ID || len(m.Roles) != 1 {
		t.Fatalf("after residence and role: %+v", m)
	}
	sep := on(2022, 9, 1)
	if _, err := f.svc.EndRole(f.ctx, id, c.commune.ID, org.Secretary, f.byOn(c.district.ID, sep)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.EndResidence(f.ctx, id, f.byOn(c.commune.ID, sep)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.s.Member(f.ctx, org.View{At: sep}, id); m.ResidenceCellID != "" || len(m.Roles) != 0 {
		t.Fatalf("after the ends: %+v", m)
	}
	if _, err := f.svc.RecordRating(f.ctx, org.Rating{MemberID: id, Year: 2022, Grade: org.Good}, f.byOn(c.commune.ID, on(2022, 12, 20))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordRating(f.ctx, org.Rating{OrgID: c.village.ID, Year: 2022, Grade: org.Excellent}, f.byOn(c.commune.ID, on(2022, 12, 20))); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.orgOn(c.village.ID, on(2023, 1, 1)); len(o.Ratings) != 1 || o.Ratings[0].Grade != org.Excellent {
		t.Fatalf("village ratings = %+v", o.Ratings)
	}

	// Removal: a member until the day before, not from then on.
	end := on(2023, 3, 1)
	if _, err := f.svc.RemoveMember(f.ctx, id, org.RemovalDeceased, f.byOn(c.commune.ID, end)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Member(f.ctx, org.View{At: end - 1}, id); err != nil {
		t.Fatalf("member the day before removal: %v", err)
	}
	if _, err := f.s.Member(f.ctx, org.View{At: end}, id); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("member after removal: %v", err)
	}
	sum, err := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: c.commune.ID})
	if err != nil || sum[org.ChangeAdmitted] != 1 || sum[org.ChangeConfirmed] != 1 || sum[org.ChangeMemberTransferred] != 2 ||
		sum[org.ChangeMemberRemoved] != 1 || sum[org.ChangeRated] != 2 || sum[org.ChangeRoleAssigned] != 1 {
		t.Fatalf("summary = %v, %v", sum, err)
	}
}

// testLateAndPlanned: an operation recorded late, before a change already in
// the history, holds only until that change.
func testLateAndPlanned(t *testing.T, f *fixture) {
	f.importRecords(history())
	// ocomm was renamed "Hà Mòn mới" on 2020-01-01; a decision of 2018 is recorded now.
	d2018 := on(2018, 1, 1)
	if _, err := f.svc.RenameOrg(f.ctx, "ocomm", "Đảng bộ xã Hà Mòn (2018)", f.byOn("odist", d2018)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   org.Date
		name string
	}{{d2018 - 1, "Đảng bộ xã Hà Mòn"}, {d2018, "Đảng bộ xã Hà Mòn (2018)"}, {on(2019, 12, 31), "Đảng bộ xã Hà Mòn (2018)"},
		{on(2020, 1, 1), "Đảng bộ xã Hà Mòn mới"}} {
		if o, err := f.orgOn("ocomm", tc.at); err != nil || o.Name != tc.name {
			t.Fatalf("%s: %+v, %v", tc.at, o.Name, err)
		}
	}
	if hits, _ := f.s.Search(f.ctx, org.View{At: on(2019, 1, 1)}, org.SearchQuery{Text: "ha mon 2018", First: 5}); len(hits) != 1 {
		t.Fatalf("search as of 2019 = %+v", hits)
	}

	// A dissolution on record for 2022 meets an admission recorded late for
	// 2021 that would outlive the cell: refused, and the other way round.
	d2022, d2021 := on(2022, 1, 1), on(2021, 6, 1)
	if _, err := f.svc.DissolveOrg(f.ctx, "ocell1", org.Destination{MembersTo: "ocell2"}, f.byOn("ocomm", d2022)); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "oprov", org.EConflict, "", func() (org.Change, error) {
		return f.svc.AdmitMember(f.ctx, org.NewMember{CellID: "ocell1", FullName: "Rơ Châm Hiền"}, f.byOn("ocomm", d2021))
	})
	ch, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: "ocell2", FullName: "Rơ Châm Hiền"}, f.byOn("ocomm", on(2023, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	third, err := f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: "ocomm", Name: "Chi bộ thôn 3", Kind: org.Cell, Sector: org.SectorVillage},
		f.byOn("ocomm", d2021))
	if err != nil {
		t.Fatal(err)
	}
	f.refused(t, "oprov", org.EConflict, "", func() (org.Change, error) {
		return f.svc.DissolveOrg(f.ctx, "ocell2", org.Destination{MembersTo: third.Subjects[0]}, f.byOn("ocomm", on(2022, 6, 1)))
	})
	if m, err := f.s.Member(f.ctx, org.View{At: on(2023, 1, 1)}, ch.Subjects[0]); err != nil || m.CellID != "ocell2" {
		t.Fatalf("the planned admission = %+v, %v", m, err)
	}
}

// testConcurrentOperations: operations on one organisation at once all apply
// in some order or fail with CONFLICT; none is lost.
func testConcurrentOperations(t *testing.T, f *fixture) {
	c := f.commune()
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	metas := make([]org.Meta, 8)
	for i := range metas {
		metas[i] = f.by(c.district.ID)
	}
	for i := range metas {
		wg.Go(func() {
			_, err := f.svc.RenameOrg(f.ctx, c.commune.ID, "Đảng bộ xã Tam Hồng "+string(rune('A'+i)), metas[i])
			if err != nil && org.ErrorCode(err) != org.EConflict {
				t.Errorf("rename %d: %v", i, err)
			}
			if err == nil {
				mu.Lock()
				applied++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if got := f.history(c.commune.ID); len(got) != applied || applied == 0 {
		t.Fatalf("%d renames applied, %d changes recorded", applied, len(got))
	}
}
