package storetest

import (
	"cmp"
	"reflect"
	"slices"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// testMemberAnalysis: the members of a subtree, filtered, ordered and paged,
// and its breakdowns, checked against the records, and the same whether the
// store offers its fast paths (MemberScanner, MemberTallier) or not.
func testMemberAnalysis(t *testing.T, f *fixture) {
	d := f.importVinhPhuc()
	v := org.View{At: afterDemo}
	commune := f.orgNamed(v, "Đảng bộ xã Tam Hồng")
	// The store seen only through org.Store: the domain's generic path.
	generic := org.NewService(struct{ org.Store }{f.s}, func() org.Date { return today })

	nodes, err := f.svc.ChartNodes(f.ctx, v, org.ChartQuery{RootID: commune.ID, Depth: -1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	inCommune := map[string]bool{}
	for _, n := range nodes {
		inCommune[n.ID] = true
	}
	var officialWomen []org.MemberRecord
	all, atFigures, inProvince := 0, 0, 0 // the commune's members on v's date and on the articles', the province's
	for _, r := range d.Members {
		if r.CellOn(v.At) != "" {
			inProvince++
		}
		if inCommune[r.CellOn(demo.Reference)] {
			atFigures++
		}
		if !inCommune[r.CellOn(v.At)] {
			continue
		}
		all++
		if r.StatusOn(v.At) == org.Official && r.Gender == org.Female {
			officialWomen = append(officialWomen, r)
		}
	}
	slices.SortFunc(officialWomen, func(a, b org.MemberRecord) int {
		return cmp.Or(cmp.Compare(org.Fold(a.FullName), org.Fold(b.FullName)), cmp.Compare(a.ID, b.ID))
	})
	if atFigures != 587 || len(officialWomen) == 0 {
		t.Fatalf("Tam Hồng: %d members, %d official women", atFigures, len(officialWomen))
	}

	// pages reads the whole list q selects, page by page, from svc.
	pages := func(svc *org.Service, q org.MemberQuery) []org.Member {
		t.Helper()
		var out []org.Member
		for q.First = 37; ; {
			p, err := svc.SubtreeMembers(f.ctx, v, commune.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p.Members...)
			if p.Total < len(out) || len(p.Members) > q.First {
				t.Fatalf("page of %d of %d", len(p.Members), p.Total)
			}
			if !p.HasNext {
				if len(out) != p.Total {
					t.Errorf("%d members read, totalCount %d", len(out), p.Total)
				}
				return out
			}
			q.After = org.OrderedMemberCursor(q.Order, &p.Members[len(p.Members)-1])
		}
	}
	q := org.MemberQuery{Subtree: true, Filter: org.MemberFilter{Statuses: []org.MemberStatus{org.Official}, Genders: []org.Gender{org.Female}}}
	got := pages(f.svc, q)
	ids := func(ms []org.Member) (out []string) {
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	var want []string
	for _, r := range officialWomen {
		want = append(want, r.ID)
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("official women of Tam Hồng by name: %d read, want %d", len(got), len(want))
	}
	if own, err := f.svc.SubtreeMembers(f.ctx, v, commune.ID, org.MemberQuery{PageQuery: org.PageQuery{First: 10}}); err != nil || own.Total != 0 {
		t.Errorf("a commune's own members: %d, %v; want none", own.Total, err)
	}

	for _, q := range []org.MemberQuery{
		{Subtree: true},
		{Subtree: true, Order: org.ByAdmission, Filter: org.MemberFilter{Theories: []org.Theory{org.TheoryNone, org.TheoryElementary}}},
		{Subtree: true, Order: org.ByBirth, Filter: org.MemberFilter{BornFrom: 1960, BornTo: 1985, Ethnicities: []string{"Kinh"}}},
		{Subtree: true, Filter: org.MemberFilter{HasResidence: new(false), ProbationOverdue: new(false)}},
		{Subtree: true, Filter: org.MemberFilter{Roles: []org.Role{org.Secretary, org.DeputySecretary}}},
		{Subtree: true, Filter: org.MemberFilter{ResidenceWithin: commune.ID}},
		{Subtree: true, Filter: org.MemberFilter{AdmittedFrom: org.DateFrom(2000, 1, 1), OfficialTo: org.DateFrom(2015, 12, 31)}},
	} {
		fast, slow := pages(f.svc, q), pages(generic, q)
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: the store's scan gives %d members, the generic path %d", q.Selection(), len(fast), len(slow))
		}
		if len(fast) == 0 && q.Filter.Roles == nil && q.Filter.ResidenceWithin == "" {
			t.Errorf("%s selects nobody: a weak test", q.Selection())
		}
		sorted := slices.IsSortedFunc(fast, func(a, b org.Member) int {
			switch q.Order {
			case org.ByAdmission:
				return cmp.Compare(a.AdmittedOn, b.AdmittedOn)
			case org.ByBirth:
				return cmp.Compare(*a.Personal.BirthDate, *b.Personal.BirthDate)
			}
			return cmp.Compare(org.Fold(a.FullName), org.Fold(b.FullName))
		})
		if !sorted {
			t.Errorf("%s: out of order", q.Selection())
		}
	}

	// compare checks every breakdown of id: the store's against the members',
	// and, of members, that it counts them all.
	compare := func(id string, members int) {
		t.Helper()
		for by := org.BreakdownStatus; by <= org.BreakdownMeetings; by++ {
			fast, err := f.svc.Breakdown(f.ctx, v, id, by, demo.RatingYear)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := generic.Breakdown(f.ctx, v, id, by, demo.RatingYear)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("breakdown %d: the store's tallies give %+v, the members %+v", by, fast, slow)
			}
			n := 0
			for _, r := range fast {
				n += r.Count
			}
			if by < org.BreakdownOrgRating && n != members {
				t.Errorf("breakdown %d counts %d members, want %d", by, n, members)
			}
		}
	}
	compare(commune.ID, all)
	// Writes on the date the store's tallies are of: a member leaves the
	// commune for another, one is recorded in it.
	province := f.orgNamed(v, "Đảng bộ tỉnh Vĩnh Phúc").ID
	other := f.orgNamed(v, "Đảng bộ xã Bạch Lưu")
	otherCells, err := f.svc.Children(f.ctx, v, other.ID, org.PageQuery{First: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TransferMember(f.ctx, officialWomen[0].ID, otherCells.Orgs[0].ID, 0, f.byOn(province, v.At)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateMember(f.ctx, org.NewMember{CellID: officialWomen[1].CellOn(v.At), FullName: "Hà Thị Mới", Gender: org.Female,
		Status: org.Official, AdmittedOn: org.DateFrom(2001, 5, 19), Theory: org.TheoryAdvanced,
		Personal: org.Personal{BirthDate: new(org.DateFrom(1975, 3, 2)), Ethnicity: "Sán Dìu"}}); err != nil {
		t.Fatal(err)
	}
	compare(commune.ID, all)
	compare(province, inProvince+1)
	status, _ := f.svc.Breakdown(f.ctx, v, commune.ID, org.BreakdownStatus, 0)
	if status[1].Key != "OFFICIAL" || status[1].Count != int(commune.Counts.Official) {
		t.Errorf("by status %+v, counts %+v", status, commune.Counts)
	}

	// Personal data: a viewer may neither filter, order nor count by it.
	viewer := f.as([]org.AccessRole{org.Viewer}, commune.ID)
	for _, q := range []org.MemberQuery{
		{Subtree: true, Order: org.ByBirth},
		{Subtree: true, Filter: org.MemberFilter{Ethnicities: []string{"Kinh"}}},
		{Subtree: true, Filter: org.MemberFilter{BornTo: 1990}},
	} {
		if _, err := f.svc.SubtreeMembers(viewer, v, commune.ID, q); org.ErrorCode(err) != org.EForbidden {
			t.Errorf("viewer asking %s: %v, want FORBIDDEN", q.Selection(), err)
		}
	}
	for _, by := range []org.BreakdownBy{org.BreakdownAgeBand, org.BreakdownEthnicity} {
		if _, err := f.svc.Breakdown(viewer, v, commune.ID, by, 0); org.ErrorCode(err) != org.EForbidden {
			t.Errorf("viewer's breakdown %d: %v, want FORBIDDEN", by, err)
		}
	}
	if p, err := f.svc.SubtreeMembers(viewer, v, commune.ID, q); err != nil || p.Total != len(officialWomen) {
		t.Errorf("viewer's official women: %d, %v", p.Total, err)
	}
	// Outside the caller's scope, the district answers as a missing id.
	district := nodes[0].ParentID
	if _, err := f.svc.SubtreeMembers(viewer, v, district, q); org.ErrorCode(err) != org.ENotFound {
		t.Errorf("viewer of the commune reading the district: %v, want NOT_FOUND", err)
	}
	if _, err := f.svc.Breakdown(viewer, v, district, org.BreakdownStatus, 0); org.ErrorCode(err) != org.ENotFound {
		t.Errorf("viewer of the commune counting the district: %v, want NOT_FOUND", err)
	}
}
