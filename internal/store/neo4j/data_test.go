package neo4j

import (
	"context"
	"io"
	"testing"

	"dangbo/internal/org"
)

// The dates of the test dataset: a rename, a member admitted, a member moving
// on movedOn, the latest date of any fact.
var (
	founded   = org.DateFrom(2000, 1, 1)
	renamedOn = org.DateFrom(2021, 1, 1)
	admitted  = org.DateFrom(2021, 6, 1)
	movedOn   = org.DateFrom(2022, 1, 1)
	today     = org.DateFrom(2024, 6, 1)
	open      = org.Span{Since: founded, Until: org.Forever}
)

// sampleDataset is a province with a district, a commune committee renamed in 2021
// and two cells; four members, one probationary, one with a temporary stint
// and a residence link, one who moved from one cell to the other.
func sampleDataset() []org.Record {
	version := func(parent, name string, kind org.Kind, sector org.Sector) org.Version {
		return org.Version{Span: open, ParentID: parent, Name: name, Kind: kind, Sector: sector}
	}
	renamed := version("d", "Đảng ủy xã Tam Hồng", org.GrassrootsCommittee, org.SectorCommune)
	before := renamed
	before.Name, before.Until = "Đảng ủy xã Tam Hồng (cũ)", renamedOn
	renamed.Since = renamedOn
	return []org.Record{
		{Org: &org.OrgRecord{ID: "p", Code: "VP", Versions: []org.Version{version("", "Đảng bộ tỉnh Vĩnh Phúc", org.Province, org.SectorOther)}}},
		{Org: &org.OrgRecord{ID: "d", Versions: []org.Version{version("p", "Huyện ủy Yên Lạc", org.District, org.SectorOther)}}},
		{Org: &org.OrgRecord{ID: "gc", Versions: []org.Version{before, renamed},
			Ratings: []org.YearRating{{Year: 2020, Grade: org.Excellent}}}},
		{Org: &org.OrgRecord{ID: "c1", Versions: []org.Version{version("gc", "Chi bộ thôn Đông", org.Cell, org.SectorVillage)}}},
		{Org: &org.OrgRecord{ID: "c2", Versions: []org.Version{version("gc", "Chi bộ Trường Tiểu học", org.Cell, org.SectorSchool)}}},
		{Member: &org.MemberRecord{
			ID: "m1", FullName: "Nguyễn Văn An", AdmittedOn: org.DateFrom(2005, 3, 1), OfficialOn: new(org.DateFrom(2006, 3, 1)),
			Theory: org.TheoryIntermediate, Personal: org.Personal{BirthDate: new(org.DateFrom(1980, 5, 2)), Phone: "0912345678"},
			Stints: []org.Stint{{Span: org.Span{Since: org.DateFrom(2005, 3, 1), Until: org.Forever}, CellID: "c1"}},
			Roles: []org.RoleTerm{{Span: org.Span{Since: org.DateFrom(2015, 1, 1), Until: org.Forever},
				OrgID: "c1", Role: org.Secretary, HeadOfUnit: true}},
			Ratings: []org.YearRating{{Year: 2020, Grade: org.Good}, {Year: 2019, Grade: org.Excellent}},
		}},
		{Member: &org.MemberRecord{
			ID: "m2", FullName: "Trần Thị Bình", Gender: org.Female, AdmittedOn: admitted,
			Stints: []org.Stint{{Span: org.Span{Since: admitted, Until: org.Forever}, CellID: "c1"}},
		}},
		{Member: &org.MemberRecord{
			ID: "m3", FullName: "Lê Văn Cường", AdmittedOn: org.DateFrom(2009, 1, 1), OfficialOn: new(org.DateFrom(2010, 1, 1)),
			Stints: []org.Stint{
				{Span: org.Span{Since: org.DateFrom(2010, 1, 1), Until: org.Forever}, CellID: "c2"},
				{Span: org.Span{Since: org.DateFrom(2020, 1, 1), Until: org.DateFrom(2020, 6, 1)}, CellID: "c1", Temporary: true},
			},
			Residences: []org.Residence{{Span: org.Span{Since: org.DateFrom(2019, 1, 1), Until: org.Forever}, CellID: "c1"}},
		}},
		{Member: &org.MemberRecord{
			ID: "m4", FullName: "Phạm Thị Dung", Gender: org.Female, AdmittedOn: org.DateFrom(2008, 1, 1), OfficialOn: new(org.DateFrom(2009, 1, 1)),
			Stints: []org.Stint{
				{Span: org.Span{Since: org.DateFrom(2008, 1, 1), Until: movedOn}, CellID: "c1"},
				{Span: org.Span{Since: movedOn, Until: org.Forever}, CellID: "c2"},
			},
		}},
	}
}

// recordList is a RecordReader and RecordWriter over a slice.
type recordList struct{ records []org.Record }

func (l *recordList) Read() (org.Record, error) {
	if len(l.records) == 0 {
		return org.Record{}, io.EOF
	}
	r := l.records[0]
	l.records = l.records[1:]
	return r, nil
}

func (l *recordList) Write(r org.Record) error {
	l.records = append(l.records, r)
	return nil
}

// loaded is a fake store holding the dataset, its statements forgotten.
func loaded(t *testing.T) (*Store, *fakeDB) {
	t.Helper()
	s, f := newFake(t)
	if _, err := s.Import(context.Background(), &recordList{sampleDataset()}); err != nil {
		t.Fatal(err)
	}
	f.reset()
	return s, f
}

// counts builds the Counts a test expects.
func counts(children, official, probationary int32, byKind map[org.Kind]int32, bySector map[org.Sector]int32) org.Counts {
	c := org.Counts{Children: children, Official: official, Probationary: probationary}
	for k, n := range byKind {
		c.ByKind[k] = n
	}
	for s, n := range bySector {
		c.CellsBySector[s] = n
	}
	return c
}

// cellCounts are the Counts of a cell with the given direct members.
func cellCounts(official, probationary int32) org.Counts {
	return org.Counts{DirectOfficial: official, DirectProbationary: probationary, Official: official, Probationary: probationary}
}

func now() org.View { return org.View{At: today} }

// decision is the meta of an operation decided today by the issuer's decision of that number.
func decision(number, issuer string) org.Meta {
	return org.Meta{Decision: org.Decision{Number: number, Date: today, IssuerID: issuer}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := org.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %s, want %s", err, got, code)
	}
}
