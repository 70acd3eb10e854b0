package memory

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

// fullRecords uses every field of every record type, so that a field the
// encoding drops shows as a difference after a reopen.
func fullRecords() []org.Record {
	d := org.DateFrom
	span := func(a, b org.Date) org.Span { return org.Span{Since: a, Until: b} }
	return []org.Record{
		{Org: &org.OrgRecord{ID: "oprov", Code: "QN", Rev: 3,
			Versions: []org.Version{{Span: span(d(1963, 10, 30), org.Forever), Name: "Đảng bộ tỉnh Quảng Ninh", Kind: org.Province}}}},
		{Org: &org.OrgRecord{ID: "ocomm", Code: "QN.HL.01", Ratings: []org.YearRating{{Year: 2020, Grade: org.Excellent}},
			Versions: []org.Version{
				{Span: span(d(2000, 1, 1), d(2020, 1, 1)), ParentID: "oprov", Name: "Đảng bộ xã Cũ", Kind: org.GrassrootsCell, Sector: org.SectorCommune},
				{Span: span(d(2020, 1, 1), org.Forever), ParentID: "oprov", Name: "Đảng bộ xã Mới", Kind: org.GrassrootsCommittee, Sector: org.SectorWard},
			}}},
		{Org: &org.OrgRecord{ID: "ocell", Versions: []org.Version{
			{Span: span(d(2020, 1, 1), org.Forever), ParentID: "ocomm", Name: "Chi bộ khu 3", Kind: org.Cell, Sector: org.SectorResidentialGroup}}}},
		{Org: &org.OrgRecord{ID: "oschool", Versions: []org.Version{
			{Span: span(d(2020, 1, 1), org.Forever), ParentID: "ocomm", Name: "Chi bộ Trường THCS", Kind: org.Cell, Sector: org.SectorSchool}}}},
		{Member: &org.MemberRecord{ID: "m1", FullName: "Vũ Thị Lan", Gender: org.Female, AdmittedOn: d(1999, 5, 19),
			OfficialOn: new(d(2000, 5, 19)), Theory: org.TheoryAdvanced, Rev: 2,
			Personal: org.Personal{BirthDate: new(d(1975, 2, 3)), Ethnicity: "Tày", Phone: "0912 345 678", Email: "lan@example.vn", Address: "Khu 3, phường Mới"},
			Stints: []org.Stint{
				{Span: span(d(2000, 1, 1), d(2020, 1, 1)), CellID: "ocomm"},
				{Span: span(d(2020, 1, 1), org.Forever), CellID: "oschool"},
				{Span: span(d(2021, 3, 1), d(2021, 9, 1)), CellID: "ocell", Temporary: true},
			},
			Residences: []org.Residence{{Span: span(d(2020, 6, 1), org.Forever), CellID: "ocell"}},
			Roles:      []org.RoleTerm{{Span: span(d(2020, 1, 1), org.Forever), OrgID: "oschool", Role: org.Secretary, HeadOfUnit: true}},
			Ratings:    []org.YearRating{{Year: 2020, Grade: org.Good}, {Year: 2021, Grade: org.Excellent}},
		}},
		{Change: &org.Change{Seq: 7, Type: org.ChangeRoleAssigned, EffectiveOn: d(2020, 1, 1),
			Decision: org.Decision{Number: "15-QĐ/ĐU", Date: d(2019, 12, 20), IssuerID: "ocomm"},
			Note:     "Chỉ định bí thư", Actor: "admin", RecordedAt: time.Date(2019, 12, 21, 8, 0, 0, 0, time.UTC),
			Subjects: []string{"m1", "oschool"}, Scope: []string{"ocomm", "oprov", "oschool"},
			Before: []org.Record{{Member: &org.MemberRecord{ID: "m1", FullName: "Vũ Thị Lan", AdmittedOn: d(1999, 5, 19),
				Stints: []org.Stint{{Span: span(d(2000, 1, 1), org.Forever), CellID: "oschool"}}}}},
			After: []org.Record{{Member: &org.MemberRecord{ID: "m1", FullName: "Vũ Thị Lan", AdmittedOn: d(1999, 5, 19),
				Stints: []org.Stint{{Span: span(d(2000, 1, 1), org.Forever), CellID: "oschool"}},
				Roles:  []org.RoleTerm{{Span: span(d(2020, 1, 1), org.Forever), OrgID: "oschool", Role: org.Secretary}}}}},
		}},
	}
}

func TestReopenKeepsEveryField(t *testing.T) {
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := fullRecords()
	if _, err := s.Import(ctx, &recordList{recs: recs}); err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(s, func() org.Date { return org.DateFrom(2022, 1, 1) })
	if _, err := svc.CreateMember(ctx, org.NewMember{CellID: "ocell", FullName: "Mới Vào", Status: org.Probationary}); err != nil {
		t.Fatal(err)
	}
	// A change recorded after the import continues its numbering.
	renamed := change(org.ChangeRenamed, org.DateFrom(2021, 6, 1), "16-QĐ/TU", "ocomm", "oprov")
	record(t, s, renamed)
	if renamed.Seq != 8 {
		t.Fatalf("change after import numbered %d, want 8", renamed.Seq)
	}
	// A scenario, written with the records' writes, every field set.
	sc := fullScenario()
	if err := s.Update(ctx, func(tx org.Tx) error {
		if err := tx.PutScenario(ctx, sc); err != nil {
			return err
		}
		return tx.Audit(ctx, org.AuditEntry{At: sc.CreatedAt, Subject: "admin", Action: "createScenario", Target: sc.ID})
	}); err != nil {
		t.Fatal(err)
	}
	sc.Rev = 1
	before := exportOf(t, s)
	s.Close()

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after := exportOf(t, s)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("reopen changed the data:\nbefore %+v\nafter  %+v", before, after)
	}
	if len(after) != len(recs)+2 {
		t.Fatalf("%d records after reopen, want %d", len(after), len(recs)+2)
	}
	for _, r := range after {
		if r.Member != nil && r.Member.ID == "m1" && !reflect.DeepEqual(*r.Member, *recs[4].Member) {
			t.Fatalf("member after reopen:\n%+v\nwant\n%+v", *r.Member, *recs[4].Member)
		}
	}
	if last := after[len(after)-2:]; !reflect.DeepEqual(last[0], recs[5]) || !reflect.DeepEqual(*last[1].Change, *renamed) {
		t.Fatalf("history after reopen:\n%+v\n%+v\nwant\n%+v\n%+v", *last[0].Change, *last[1].Change, *recs[5].Change, *renamed)
	}
	if got, err := s.Scenario(ctx, sc.ID); err != nil || !reflect.DeepEqual(got, sc) {
		t.Fatalf("scenario after reopen:\n%+v, %v\nwant\n%+v", got, err, sc)
	}
	if all, err := s.Scenarios(ctx); err != nil || len(all) != 1 || all[0].ID != sc.ID {
		t.Fatalf("scenarios after reopen = %+v, %v", all, err)
	}
	// and it is written again from the rev it was read with.
	if err := s.Update(ctx, func(tx org.Tx) error { return tx.PutScenario(ctx, sc) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Scenario(ctx, sc.ID); err != nil || got.Rev != 2 {
		t.Fatalf("scenario written after reopen = %+v, %v", got, err)
	}
	next := change(org.ChangeRenamed, org.DateFrom(2022, 6, 1), "17-QĐ/TU", "ocomm")
	record(t, s, next)
	if next.Seq != 9 {
		t.Fatalf("change after reopen numbered %d, want 9", next.Seq)
	}
	if m, err := s.Member(ctx, org.View{At: org.DateFrom(2021, 4, 1)}, "m1"); err != nil || m.CellID != "oschool" ||
		m.ResidenceCellID != "ocell" || len(m.Roles) != 1 || !m.Roles[0].HeadOfUnit {
		t.Fatalf("m1 after reopen = %+v, %v", m, err)
	}
}

// fullScenario uses every field of a scenario, so that a field the encoding
// drops shows as a difference after a reopen. Its times are in UTC, as
// decoding gives them back.
func fullScenario() org.Scenario {
	d := org.DateFrom
	at := time.Date(2022, 1, 1, 9, 15, 30, 123456789, time.UTC)
	maxMembers := 30
	return org.Scenario{
		ID: "sc1", Name: "Sáp nhập các chi bộ khu dân cư", Within: "ocomm", BaseAsOf: d(2022, 3, 1),
		Status: org.ScenarioApplied, CreatedBy: "admin", CreatedAt: at, UpdatedAt: at.Add(time.Hour),
		Ops: []org.Operation{
			{Key: 1, Type: org.OpTransferOrg, ID: "ocell", ParentID: "oprov"},
			{Key: 2, Type: org.OpDissolveOrg, ID: "oschool", Destination: org.Destination{MembersTo: "ocell", ChildrenTo: "ocomm"}, Note: "Giải thể"},
			{Key: 4, Type: org.OpTransferMember, MemberID: "m1", CellID: "ocell", Until: d(2022, 9, 1)},
			{Key: 5, Type: org.OpFlattenLevel, Kind: org.Cell, Filter: &org.OrgFilter{Within: "ocomm",
				Kinds: []org.Kind{org.Cell}, Sectors: []org.Sector{org.SectorSchool}, MaxMembers: &maxMembers}},
		},
		Undone:  []org.Operation{{Key: 3, Type: org.OpRenameOrg, ID: "ocomm", Name: "Đảng bộ xã Mới Hơn"}},
		NextKey: 6,
		Reads:   map[string]int64{"ocell": 1, "oschool": 1, "m1": 2},
		Applied: &org.Meta{Decision: org.Decision{Number: "20-QĐ/TU", Date: d(2022, 3, 1), IssuerID: "oprov"}, EffectiveOn: d(2022, 3, 1)},
	}
}

func exportOf(t *testing.T, s *Store) []org.Record {
	t.Helper()
	var w recordList
	if err := s.Export(context.Background(), &w); err != nil {
		t.Fatal(err)
	}
	return w.recs
}

// TestImportKeepsTheBytesRead: imported from NDJSON, changes are stored as
// read and members in the binary form, those checking cleaned (a name with
// doubled spaces) as cleaned; either way a reopen gives back the checked
// records.
func TestImportKeepsTheBytesRead(t *testing.T) {
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	recs := fullRecords()
	messy := recs[4].Member.Clone()
	messy.ID, messy.FullName, messy.Personal.Address = "m2", "  Vũ   Thị  Hoa ", "Khu 3,  phường Mới"
	recs = slices.Insert(recs, 5, org.Record{Member: &messy})
	var nd bytes.Buffer
	w := dataset.NewWriter(&nd)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, dataset.NewReader(&nd)); err != nil {
		t.Fatal(err)
	}
	imported := exportOf(t, s)
	s.Close()
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reopened := exportOf(t, s)
	if !reflect.DeepEqual(imported, reopened) {
		t.Fatalf("reopen changed the data:\nimported %+v\nreopened %+v", imported, reopened)
	}
	m, err := s.Member(ctx, org.View{At: org.DateFrom(2022, 1, 1)}, "m2")
	if err != nil || m.FullName != "Vũ Thị Hoa" || m.Personal.Address != "Khu 3, phường Mới" {
		t.Fatalf("cleaned member after reopen: %+v, %v", m, err)
	}
	if last := reopened[len(reopened)-1]; last.Change == nil || !reflect.DeepEqual(*last.Change, *recs[len(recs)-1].Change) {
		t.Fatalf("change after reopen: %+v", last)
	}
}
