package dataset

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// fill sets every field below v to a value that is not zero, distinct and
// valid for its type, so that a field lost on the way shows.
func fill(v reflect.Value, n *int) {
	*n++
	switch {
	case v.Type() == reflect.TypeFor[*org.Change]():
		return // a change's records hold no change: the recursion stops there
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2021, 10, 1, 8, 30, *n%60, 123456789, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), n)
		fill(v.Index(1), n)
	case reflect.String:
		v.SetString("Đảng bộ \"số\" \\ " + string(rune('a'+*n%26)) + "\u00e9\t<&>")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Int32: // org.Date
		v.SetInt(int64(org.DateFrom(1990, time.January, *n)))
	case reflect.Uint8: // the enumerations; every one has at least two values
		v.SetUint(1)
	default:
		panic("fill: " + v.Type().String())
	}
}

// marshal is encoding/json's form of a record, with HTML escaping off as the Writer has it.
func marshal(t testing.TB, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// roundTrip writes records and reads them back, checking that each line is
// exactly what encoding/json writes, so that other tools read our files.
func roundTrip(t *testing.T, recs []org.Record) []org.Record {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	for i, r := range recs {
		if want := marshal(t, r); !bytes.Equal(lines[i], want) {
			t.Fatalf("line %d differs from encoding/json:\n%s\n%s", i+1, lines[i], want)
		}
	}
	var out []org.Record
	rd := NewReader(&buf)
	for {
		r, err := rd.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

// TestEveryFieldRoundTrips fills every field of every record type, so that a
// field added to the domain is covered without a change here.
func TestEveryFieldRoundTrips(t *testing.T) {
	n := 0
	var o org.OrgRecord
	var m org.MemberRecord
	var c org.Change
	fill(reflect.ValueOf(&o).Elem(), &n)
	fill(reflect.ValueOf(&m).Elem(), &n)
	fill(reflect.ValueOf(&c).Elem(), &n)
	recs := []org.Record{{Org: &o}, {Member: &m}, {Change: &c}}
	if got := roundTrip(t, recs); !reflect.DeepEqual(got, recs) {
		t.Fatalf("round trip changed the records:\n%+v\n%+v", got, recs)
	}
}

// demoRecords is the demo as records, organisations first.
func demoRecords() ([]org.Record, int) {
	d := demo.Generate(demo.DefaultSeed)
	var recs []org.Record
	for i := range d.Orgs {
		recs = append(recs, org.Record{Org: &d.Orgs[i]})
	}
	for i := range d.Members {
		recs = append(recs, org.Record{Member: &d.Members[i]})
	}
	return recs, len(d.Members)
}

func TestDemoRoundTrips(t *testing.T) {
	recs, _ := demoRecords()
	got := roundTrip(t, recs)
	if len(got) != len(recs) {
		t.Fatalf("%d records read back, %d written", len(got), len(recs))
	}
	for i := range recs {
		if !reflect.DeepEqual(got[i], recs[i]) {
			t.Fatalf("record %d changed:\n%+v\n%+v", i, got[i], recs[i])
		}
	}
}

func demoNDJSON(b *testing.B) ([]org.Record, []byte, int) {
	recs, members := demoRecords()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	return recs, buf.Bytes(), members
}

func perMember(b *testing.B, members int) {
	b.ReportMetric(float64(members)*float64(b.N)/b.Elapsed().Seconds(), "members/s")
}

func BenchmarkRead(b *testing.B) {
	_, nd, members := demoNDJSON(b)
	for b.Loop() {
		r := NewReader(bytes.NewReader(nd))
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	perMember(b, members)
}

// BenchmarkReadEncodingJSON is the floor the Reader is measured against.
func BenchmarkReadEncodingJSON(b *testing.B) {
	_, nd, members := demoNDJSON(b)
	lines := bytes.Split(bytes.TrimSpace(nd), []byte("\n"))
	for b.Loop() {
		for _, line := range lines {
			var rec org.Record
			if err := json.Unmarshal(line, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	perMember(b, members)
}

func BenchmarkWrite(b *testing.B) {
	recs, _, members := demoNDJSON(b)
	for b.Loop() {
		w := NewWriter(io.Discard)
		for _, rec := range recs {
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	perMember(b, members)
}

// BenchmarkWriteEncodingJSON is the floor the Writer is measured against.
func BenchmarkWriteEncodingJSON(b *testing.B) {
	recs, _, members := demoNDJSON(b)
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		enc.SetEscapeHTML(false)
		for _, rec := range recs {
			if err := enc.Encode(rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	perMember(b, members)
}
