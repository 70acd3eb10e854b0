package neo4j

import (
	"fmt"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// grown is a province of k districts, each of two communes of three village
// cells, each cell of 4k members, the first k of whom live in the commune's
// next cell: a subtree k times as large in organisations, members and links.
func grown(k int) []org.Record {
	open := org.Span{Since: founded, Until: org.Forever}
	add := func(recs []org.Record, id, parent, name string, kind org.Kind, sector org.Sector) []org.Record {
		return append(recs, org.Record{Org: &org.OrgRecord{ID: id, Versions: []org.Version{
			{Span: open, ParentID: parent, Name: name, Kind: kind, Sector: sector}}}})
	}
	recs := add(nil, "p", "", "Đảng bộ tỉnh Vĩnh Phúc", org.Province, org.SectorOther)
	var members []org.Record
	for d := range k {
		district := fmt.Sprintf("d%d", d)
		recs = add(recs, district, "p", fmt.Sprintf("Huyện ủy số %d", d+1), org.District, org.SectorOther)
		for c := range 2 {
			commune := fmt.Sprintf("%s-x%d", district, c)
			recs = add(recs, commune, district, fmt.Sprintf("Đảng ủy xã số %d-%d", d+1, c+1), org.GrassrootsCommittee, org.SectorCommune)
			for cell := range 3 {
				id := fmt.Sprintf("%s-c%d", commune, cell)
				recs = add(recs, id, commune, fmt.Sprintf("Chi bộ thôn số %d", cell+1), org.Cell, org.SectorVillage)
				for m := range 4 * k {
					r := &org.MemberRecord{
						ID: fmt.Sprintf("%s-m%d", id, m), FullName: fmt.Sprintf("Nguyễn Văn Thành %d", m+1),
						AdmittedOn: founded, OfficialOn: new(founded + 365),
						Stints: []org.Stint{{Span: open, CellID: id}},
					}
					if m < k {
						r.Residences = []org.Residence{{Span: open, CellID: fmt.Sprintf("%s-c%d", commune, (cell+1)%3)}}
					}
					members = append(members, org.Record{Member: r})
				}
			}
		}
	}
	return append(recs, members...)
}

// TestStatementsDoNotGrowWithTheSubtree runs the same requests on subtrees
// one, two and four times as large: an operation loads its working set and a
// preview its scenario's subtree in one statement each, so the statements
// they run stay the same while the rows grow; a write, within the budget of
// six statements (issue 16): its writes and the counts they change are one.
func TestStatementsDoNotGrowWithTheSubtree(t *testing.T) {
	requests := []struct {
		name   string
		budget int
		run    func(t *testing.T, s *Store, svc *org.Service)
	}{
		{"merge of two cells", 6, func(t *testing.T, _ *Store, svc *org.Service) {
			if _, err := svc.MergeOrgs(ctx, []string{"d0-x0-c1"}, org.MergeTarget{ID: "d0-x0-c0"}, decision("1-QĐ/ĐU", "d0-x0")); err != nil {
				t.Fatal(err)
			}
		}},
		{"dissolution of a commune, its cells to another", 6, func(t *testing.T, _ *Store, svc *org.Service) {
			if _, err := svc.DissolveOrg(ctx, "d0-x1", org.Destination{ChildrenTo: "d0-x0"}, decision("2-QĐ/HU", "d0")); err != nil {
				t.Fatal(err)
			}
		}},
		{"what-if statistics of the province, flattenLevel DISTRICT", 6, func(t *testing.T, s *Store, svc *org.Service) {
			scn := scenario.New(svc, s)
			sc, err := scn.Create(ctx, "Bỏ cấp huyện", "p", 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := scn.AddOperations(ctx, sc.ID, []org.Operation{
				{Type: org.OpFlattenLevel, Kind: org.District, Filter: &org.OrgFilter{Within: "p"}},
			}); err != nil {
				t.Fatal(err)
			}
			f := s.db.(*fakeDB)
			f.reset()
			fresh := service(s)
			if _, err := fresh.Org(ctx, org.View{At: today, Scenario: sc.ID}, "p"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, r := range requests {
		var statements []int
		var rows []int
		for _, k := range []int{1, 2, 4} {
			s, f := newFake(t)
			s.batchSize = defaultBatchSize
			if _, err := s.Import(ctx, &recordList{grown(k)}); err != nil {
				t.Fatal(err)
			}
			f.reset()
			r.run(t, s, service(s))
			statements, rows = append(statements, len(f.calls)), append(rows, f.rows())
		}
		t.Logf("%-55s statements %v, rows %v at 1×, 2×, 4×", r.name, statements, rows)
		if statements[1] != statements[0] || statements[2] != statements[0] || statements[0] > r.budget {
			t.Errorf("%s: %v statements at 1×, 2×, 4× the subtree, budget %d", r.name, statements, r.budget)
		}
	}
}
