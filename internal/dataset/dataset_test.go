package dataset_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

func date(y int, m time.Month, d int) org.Date { return org.DateFrom(y, m, d) }

// full sets every field of both record types, with closed and open spans.
var full = []org.Record{
	{Org: &org.OrgRecord{ID: "o0123456789abcdef", Code: "QN-01", Rev: 7,
		Versions: []org.Version{
			{Span: org.Span{Since: date(1963, 10, 30), Until: date(1993, 12, 27)}, Name: "Đảng bộ thị xã Hòn Gai",
				Kind: org.District, Sector: org.SectorOther, ParentID: "o1"},
			{Span: org.Span{Since: date(1993, 12, 27), Until: org.Forever}, Name: "Đảng bộ thành phố Hạ Long",
				Kind: org.District, Sector: org.SectorBloc, ParentID: "o1"},
		},
		Ratings: []org.YearRating{{Year: 2019, Grade: org.Good}, {Year: 2020, Grade: org.NotCompleted}}}},
	{Member: &org.MemberRecord{ID: "m0123456789abcdef", FullName: "Nguyễn Thị Hồng Nhung", Gender: org.Female,
		AdmittedOn: date(2001, 5, 19), OfficialOn: new(date(2002, 5, 19)), Theory: org.TheoryAdvanced, Rev: 3,
		Personal: org.Personal{BirthDate: new(date(1975, 2, 28)), Ethnicity: "Sán Dìu", Phone: "0912345678",
			Email: "nhung@example.vn", Address: "Khu 3, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh"},
		Stints: []org.Stint{
			{Span: org.Span{Since: date(2001, 5, 19), Until: date(2010, 1, 1)}, CellID: "o2"},
			{Span: org.Span{Since: date(2008, 3, 1), Until: date(2008, 9, 1)}, CellID: "o4", Temporary: true},
			{Span: org.Span{Since: date(2010, 1, 1), Until: org.Forever}, CellID: "o3"},
		},
		Residences: []org.Residence{{Span: org.Span{Since: date(2020, 3, 2), Until: org.Forever}, CellID: "o5"}},
		Roles: []org.RoleTerm{
			{Span: org.Span{Since: date(2015, 6, 1), Until: date(2020, 6, 1)}, OrgID: "o3", Role: org.DeputySecretary},
			{Span: org.Span{Since: date(2020, 6, 1), Until: org.Forever}, OrgID: "o3", Role: org.Secretary, HeadOfUnit: true},
		},
		Ratings: []org.YearRating{{Year: 2020, Grade: org.Excellent}}}},
}

// change is a change record as an operation writes it, with its records.
var change = org.Record{Change: &org.Change{Seq: 12, Type: org.ChangeMerged, EffectiveOn: date(2019, 7, 1),
	Decision: org.Decision{Number: "125-QĐ/TU", Date: date(2019, 6, 20), IssuerID: "o1"},
	Note:     "Sáp nhập chi bộ", Actor: "admin", RecordedAt: time.Date(2019, 6, 21, 9, 0, 0, 0, time.UTC),
	Subjects: []string{"o2", "o3"}, Scope: []string{"o1", "o2", "o3"},
	Before: []org.Record{{Org: full[0].Org}}, After: []org.Record{{Org: full[0].Org}, {Member: full[1].Member}}}}

// minimal leaves every optional field empty.
var minimal = []org.Record{
	{Org: &org.OrgRecord{ID: "o1", Versions: []org.Version{{Span: org.Span{Since: date(1963, 10, 30), Until: org.Forever},
		Name: "Đảng bộ tỉnh", Kind: org.Province}}}},
	{Member: &org.MemberRecord{ID: "m1", FullName: "Lê Văn Tám", AdmittedOn: date(2020, 12, 1),
		Stints: []org.Stint{{Span: org.Span{Since: date(2020, 12, 1), Until: org.Forever}, CellID: "o1"}}}},
}

func encode(t testing.TB, recs []org.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := dataset.NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode(t testing.TB, b []byte) []org.Record {
	t.Helper()
	r := dataset.NewReader(bytes.NewReader(b))
	var out []org.Record
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func TestRoundTrip(t *testing.T) {
	withHistory := append(slices.Clone(full), change)
	for name, recs := range map[string][]org.Record{"full": full, "minimal": minimal, "history": withHistory} {
		t.Run(name, func(t *testing.T) {
			b := encode(t, recs)
			if got := decode(t, b); !reflect.DeepEqual(got, recs) {
				t.Fatalf("round trip changed the records:\n%s", b)
			}
			if n := bytes.Count(b, []byte("\n")); n != len(recs) {
				t.Fatalf("%d lines for %d records", n, len(recs))
			}
		})
	}
}

// TestWireForm pins what other tools see: dates as YYYY-MM-DD, an open end as
// 9999-12-31, enums by name, empty optional fields left out, text unescaped.
func TestWireForm(t *testing.T) {
	b := string(encode(t, full))
	for _, want := range []string{
		`{"org":{"id":"o0123456789abcdef","code":"QN-01","versions":[{"since":"1963-10-30","until":"1993-12-27","parentId":"o1","name":"Đảng bộ thị xã Hòn Gai","kind":"DISTRICT","sector":"OTHER"}`,
		`"ratings":[{"year":2019,"grade":"GOOD"},{"year":2020,"grade":"NOT_COMPLETED"}]`,
		`"gender":"FEMALE","admittedOn":"2001-05-19","officialOn":"2002-05-19","theory":"ADVANCED"`,
		`"stints":[{"since":"2001-05-19","until":"2010-01-01","cellId":"o2"},{"since":"2008-03-01","until":"2008-09-01","cellId":"o4","temporary":true},{"since":"2010-01-01","until":"9999-12-31","cellId":"o3"}]`,
		`{"since":"2020-06-01","until":"9999-12-31","orgId":"o3","role":"SECRETARY","headOfUnit":true}`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("missing %s in\n%s", want, b)
		}
	}
	m := string(encode(t, minimal))
	want := `{"org":{"id":"o1","versions":[{"since":"1963-10-30","until":"9999-12-31","name":"Đảng bộ tỉnh","kind":"PROVINCE","sector":"OTHER"}]}}
{"member":{"id":"m1","fullName":"Lê Văn Tám","gender":"MALE","admittedOn":"2020-12-01","theory":"NONE","personal":{},"stints":[{"since":"2020-12-01","until":"9999-12-31","cellId":"o1"}]}}
`
	if m != want {
		t.Fatalf("minimal records:\n%s\nwant\n%s", m, want)
	}
	c := string(encode(t, []org.Record{change}))
	for _, want := range []string{
		`{"change":{"seq":12,"type":"MERGED","effectiveOn":"2019-07-01","decision":{"number":"125-QĐ/TU","date":"2019-06-20","issuerId":"o1"},"note":"Sáp nhập chi bộ","actor":"admin","recordedAt":"2019-06-21T09:00:00Z","subjects":["o2","o3"],"scope":["o1","o2","o3"],"before":[{"org":{"id":"o0123456789abcdef"`,
		`"after":[{"org":{"id":"o0123456789abcdef"`,
		`{"member":{"id":"m0123456789abcdef"`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("missing %s in\n%s", want, c)
		}
	}
}

func TestReaderSkipsBlankLinesAndCountsThem(t *testing.T) {
	b := encode(t, minimal)
	in := "\n  \n" + strings.Replace(string(b), "\n", "\r\n\n", 1)
	r := dataset.NewReader(strings.NewReader(in))
	for _, line := range []int{3, 5} {
		if _, err := r.Read(); err != nil || r.Line() != line {
			t.Fatalf("line %d: err %v, at %d", line, err, r.Line())
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("after the last record: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	org1 := `{"org":{"id":"o1","versions":[{"since":"2020-01-01","name":"A","kind":"PROVINCE","sector":"OTHER"}]}}`
	member := `{"member":{"id":"m1","fullName":"B","gender":"MALE","admittedOn":"2020-01-01","theory":"NONE","personal":{},"stints":[]}}`
	chg := `{"change":{"seq":1,"type":"RENAMED","effectiveOn":"2020-01-01","decision":{"number":"1","date":"2020-01-01","issuerId":"o1"},"actor":"a","recordedAt":"2020-01-01T00:00:00Z","subjects":["o1"],"scope":["o1"]}}`
	for _, c := range []struct {
		name, input string
		line        int
		says        string
	}{
		{"malformed JSON", org1 + "\n{\"org\":\n", 2, "không đọc được"},
		{"neither field", org1 + "\n\n{}\n", 3, "đúng một"},
		{"null field", `{"org":null}`, 1, "đúng một"},
		{"both fields", `{"org":{"id":"o1"},"member":{"id":"m1"}}`, 1, "đúng một"},
		{"not an object", `[1,2]`, 1, "không đọc được"},
		{"unknown kind", strings.Replace(org1, "PROVINCE", "CITY", 1), 1, "loại tổ chức không hợp lệ"},
		{"bad date", strings.Replace(org1, "2020-01-01", "2020-13-01", 1), 1, "ngày không hợp lệ"},
		{"organisation after member", org1 + "\n" + member + "\n" + org1, 3, "trước"},
		{"organisation after change", org1 + "\n" + chg + "\n" + org1, 3, "trước"},
		{"member after change", org1 + "\n" + member + "\n" + chg + "\n" + member, 4, "đảng viên phải đứng trước"},
		{"change and member", `{"member":{"id":"m1"},"change":{"seq":1}}`, 1, "đúng một"},
		{"unknown change type", strings.Replace(chg, "RENAMED", "MOVED", 1), 1, "loại thay đổi"},
		{"line too long", org1 + "\n" + strings.Repeat(" ", dataset.MaxLine+1) + "\n", 2, "dài quá"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := dataset.NewReader(strings.NewReader(c.input))
			var err error
			for err == nil {
				_, err = r.Read()
			}
			var e *org.Error
			if !errors.As(err, &e) || e.Code != org.EInvalid {
				t.Fatalf("error %v, want a BAD_USER_INPUT *org.Error", err)
			}
			prefix := "dòng " + strconv.Itoa(c.line) + ": "
			if !strings.HasPrefix(e.Message, prefix) || !strings.Contains(e.Message, c.says) {
				t.Fatalf("message %q, want it to start %q and say %q", e.Message, prefix, c.says)
			}
		})
	}
}

func TestWriterRefusesWhatAReaderCouldNotLoad(t *testing.T) {
	w := dataset.NewWriter(io.Discard)
	if err := w.Write(org.Record{}); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("empty record: %v", err)
	}
	if err := w.Write(minimal[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(minimal[0]); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("organisation after member: %v", err)
	}
	if err := w.Write(change); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(minimal[1]); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("member after change: %v", err)
	}
	if err := w.Write(org.Record{Member: minimal[1].Member, Change: change.Change}); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("member and change in one record: %v", err)
	}
}

func TestCopyCounts(t *testing.T) {
	var buf bytes.Buffer
	n, err := dataset.Copy(dataset.NewWriter(&buf), dataset.NewReader(bytes.NewReader(encode(t, append(slices.Clone(full), change)))))
	if err != nil || n != (org.ImportStats{Orgs: 1, Members: 1}) {
		t.Fatalf("copied %+v, %v", n, err)
	}
}

// TestHeadsOnly: after HeadsOnly, a change as the Writer writes it comes
// without its records before and after; one written otherwise keeps them, a
// line with two records still fails, and Raw gives the change's bytes whole.
func TestHeadsOnly(t *testing.T) {
	const change = `{"seq":1,"type":"RENAMED","effectiveOn":"2021-01-01","decision":{"number":"1","date":"2021-01-01","issuerId":"o1"},` +
		`"actor":"a","recordedAt":"2021-01-01T00:00:00Z","subjects":["o2"],"scope":["o1"],` +
		`"before":[{"org":{"id":"o2","versions":[]}}],"after":[{"org":{"id":"o2","versions":[]}}]}`
	in := `{"change":` + change + "}\n" + `{ "change": ` + change + "}\n" + `{"change":` + change + `,"org":{"id":"o3"}}` + "\n"
	r := dataset.NewReader(strings.NewReader(in))
	r.HeadsOnly()
	rec, err := r.Read()
	if err != nil || rec.Change == nil || rec.Change.Seq != 1 || rec.Change.Before != nil || rec.Change.After != nil ||
		string(r.Raw()) != change {
		t.Fatalf("written as the Writer does: %+v, %v, raw %s", rec.Change, err, r.Raw())
	}
	if rec, err = r.Read(); err != nil || len(rec.Change.Before) != 1 || len(rec.Change.After) != 1 || r.Raw() != nil {
		t.Fatalf("written otherwise: %+v, %v", rec.Change, err)
	}
	if _, err = r.Read(); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("two records on a line: %v", err)
	}
}

// TestReaderChunks: lines that straddle the chunks the reader reads, input
// that comes a few bytes at a time, CRLF and blank lines, and a last line
// without a newline all read as the lines they are, and the bytes each record
// was read from stay as they were after the reader has gone on.
func TestReaderChunks(t *testing.T) {
	var lines []string
	for i := range 6000 { // several chunks of a megabyte, lines of every length
		m := *minimal[1].Member
		m.ID, m.FullName = "m"+strconv.Itoa(100000+i), "Lê Văn "+strings.Repeat("Tám ", i%97)+"Cuối"
		line, err := json.Marshal(org.Record{Member: &m})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(line))
	}
	input := func(n int) string {
		return strings.Join(lines[:10], "\r\n") + "\n\n  \n" + strings.Join(lines[10:n], "\n")
	}
	for name, src := range map[string]io.Reader{
		"whole":    strings.NewReader(input(len(lines))),
		"halves":   iotest.HalfReader(strings.NewReader(input(len(lines)))),
		"one byte": iotest.OneByteReader(strings.NewReader(input(40))),
	} {
		r := dataset.NewReader(src)
		var raws [][]byte
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want := "m" + strconv.Itoa(100000+len(raws)); rec.Member.ID != want {
				t.Fatalf("%s: record %d is %s, want %s", name, len(raws), rec.Member.ID, want)
			}
			raws = append(raws, r.Raw())
		}
		if want := map[bool]int{true: 40, false: len(lines)}[name == "one byte"]; len(raws) != want {
			t.Fatalf("%s: %d records, want %d", name, len(raws), want)
		}
		for i, raw := range raws {
			if want := strings.TrimSuffix(strings.TrimPrefix(lines[i], `{"member":`), "}"); string(raw) != want {
				t.Fatalf("%s: the bytes of record %d changed:\n%s\nwant\n%s", name, i, raw, want)
			}
		}
	}
}
