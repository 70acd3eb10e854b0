package memory

import (
	"bytes"
	"context"
	"encoding"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// fill sets every field of the value v points to, recursively, to a random
// value: a field added to a record is then filled without the test knowing
// of it, and a codec that forgets it fails the round trip. Values of types
// with a text form are drawn until they have one (a valid enum, a date), so
// that the JSON of the record also encodes; strings hold any UTF-8; lists are
// nil or one to three long, as decoding leaves them.
func fill(rng *rand.Rand, v reflect.Value) {
	if m, ok := v.Addr().Interface().(encoding.TextMarshaler); ok && v.Kind() != reflect.Struct {
		for range 1000 {
			fillScalar(rng, v)
			if v.CanUint() {
				v.SetUint(v.Uint() % 32) // enums are small
			}
			text, err := m.MarshalText()
			back := reflect.New(v.Type())
			if err == nil && back.Interface().(encoding.TextUnmarshaler).UnmarshalText(text) == nil && back.Elem().Equal(v) {
				return
			}
		}
		panic("no valid value of " + v.Type().String())
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem())
	case reflect.Slice:
		n := rng.IntN(4)
		if n == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(rng, v.Index(i))
		}
	default:
		fillScalar(rng, v)
	}
}

var runes = []rune("aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠàằẵặệỳỹ 0123456789-_.,'\"\\\n\t\x00é")

func fillScalar(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		n := rng.IntN(4) * rng.IntN(12) // empty a quarter of the time
		s := make([]rune, n)
		for i := range s {
			s[i] = runes[rng.IntN(len(runes))]
		}
		v.SetString(string(s))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		x := rng.Int64() >> (64 - bits) // sign and every width
		if rng.IntN(2) == 0 {
			x = int64(rng.IntN(100_000)) // the usual: small, dates, years
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64() >> (64 - v.Type().Bits()))
	default:
		panic("fill: a field of kind " + v.Kind().String() + " the test does not know")
	}
}

// TestRecordCodecRoundTrip: every field of generated member and
// organisation records comes back from the binary form, and a record's JSON
// form (the form of files before it) decodes to the same values.
func TestRecordCodecRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 24), 17))
	for i := range 3000 {
		var m org.MemberRecord
		fill(rng, reflect.ValueOf(&m).Elem())
		roundTrip(t, i, &m, encodeMember, decodeMember)
		var o org.OrgRecord
		fill(rng, reflect.ValueOf(&o).Elem())
		roundTrip(t, i, &o, encodeOrg, decodeOrg)
	}
}

func roundTrip[R any](t *testing.T, i int, r *R, enc func([]byte, *R) []byte, dec func([]byte, *R) error) {
	t.Helper()
	b := enc(nil, r)
	var got R
	if err := dec(b, &got); err != nil {
		t.Fatalf("record %d: %v\n%+v", i, err, *r)
	}
	if !reflect.DeepEqual(&got, r) {
		t.Fatalf("record %d, binary form:\ngot  %+v\nwant %+v", i, got, *r)
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("record %d: %v", i, err)
	}
	var fromJSON R
	if err := dec(js, &fromJSON); err != nil {
		t.Fatalf("record %d, JSON form: %v\n%s", i, err, js)
	}
	// JSON leaves a list without omitempty empty, not nil.
	if b := enc(nil, &fromJSON); string(b) != string(enc(nil, r)) {
		t.Fatalf("record %d, JSON form:\ngot  %+v\nwant %+v", i, fromJSON, *r)
	}
	// A cut or extended record is refused, never read as another.
	for _, bad := range [][]byte{b[:len(b)-1], append(b[:len(b):len(b)], 0), b[:1]} {
		if err := dec(bad, &got); err == nil {
			t.Fatalf("record %d: a malformed form (%d of %d bytes) decoded", i, len(bad), len(b))
		}
	}
}

// FuzzDecodeMember: decoding any bytes returns a record or an error, never
// panics, a record it returns encodes back to the same bytes, and no
// single-bit flip of a record in the current form decodes.
func FuzzDecodeMember(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		var m org.MemberRecord
		fill(rng, reflect.ValueOf(&m).Elem())
		f.Add(encodeMember(nil, &m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m org.MemberRecord
		if len(b) == 0 || b[0] == recordJSON || decodeMember(b, &m) != nil {
			return
		}
		if again := encodeMember(nil, &m); string(again) != string(b) {
			// Varints have more than one form; the values must still agree.
			var m2 org.MemberRecord
			if err := decodeMember(again, &m2); err != nil || !reflect.DeepEqual(m, m2) {
				t.Fatalf("%x decoded to %+v, which encodes to %x", b, m, again)
			}
		}
		if b[0] != recordBinary2 {
			return
		}
		for bit := range 8 * len(b) {
			bad := bytes.Clone(b)
			bad[bit/8] ^= 1 << (bit % 8)
			if decodeMember(bad, &m) == nil {
				t.Fatalf("%x: the flip of bit %d decoded", b, bit)
			}
		}
	})
}

// TestOlderFileOpens: a file whose member and organisation records are in
// the JSON form of earlier versions opens with the same data; the records are
// rewritten in the binary form in the background, a write made meanwhile is
// kept, and the file opens with the same data again.
func TestOlderFileOpens(t *testing.T) {
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, &recordList{recs: fullRecords()}); err != nil {
		t.Fatal(err)
	}
	want := exportOf(t, s)
	s.Close()
	if jsons, binaries := recordForms(t, dir, true); jsons != 0 || binaries == 0 {
		t.Fatalf("the import wrote %d JSON and %d binary records", jsons, binaries)
	}

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := exportOf(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("the older file:\n%+v\nwant\n%+v", got, want)
	}
	svc := org.NewService(s, func() org.Date { return org.DateFrom(2022, 1, 1) })
	if _, err := svc.CreateMember(ctx, org.NewMember{CellID: "ocell", FullName: "Mới Vào", Status: org.Probationary}); err != nil {
		t.Fatal(err)
	}
	written := exportOf(t, s)
	<-s.upgraded
	s.Close()
	if jsons, _ := recordForms(t, dir, false); jsons != 0 {
		t.Fatalf("%d records left in the JSON form after the rewrite", jsons)
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.upgraded != nil {
		t.Error("a rewrite started on a file without older records")
	}
	if got := exportOf(t, s); !reflect.DeepEqual(got, written) {
		t.Fatalf("after the rewrite:\n%+v\nwant\n%+v", got, written)
	}
}

// recordForms counts the member and organisation records of the closed
// store in dir in each form, and with toJSON first rewrites the binary ones
// as JSON, as earlier versions wrote them.
func recordForms(t *testing.T, dir string, toJSON bool) (jsons, binaries int) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{orgBucket, memberBucket} {
			b := tx.Bucket(name)
			var puts []kv
			err := b.ForEach(func(k, v []byte) error {
				if isOlder(v) {
					jsons++
					return nil
				}
				binaries++
				if !toJSON {
					return nil
				}
				var js []byte
				var err error
				if string(name) == string(memberBucket) {
					var r org.MemberRecord
					err = decodeMember(v, &r)
					js, _ = json.Marshal(&r)
				} else {
					var r org.OrgRecord
					err = decodeOrg(v, &r)
					js, _ = json.Marshal(&r)
				}
				puts = append(puts, kv{bytes.Clone(k), js})
				return err
			})
			if err != nil {
				return err
			}
			for _, p := range puts {
				if err := b.Put(p.k, p.v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return jsons, binaries
}

// TestRecordBitFlipsRefused: every single-bit flip of a record in the
// current form is refused, never read as another record; a record of the
// binary form without a checksum still decodes, and a flipped JSON record of
// an older file decodes or is refused as before, without a panic.
func TestRecordBitFlipsRefused(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 25), 18))
	for i := range 100 {
		var m org.MemberRecord
		fill(rng, reflect.ValueOf(&m).Elem())
		flips(t, i, &m, encodeMember, decodeMember, i%10 == 0)
		var o org.OrgRecord
		fill(rng, reflect.ValueOf(&o).Elem())
		flips(t, i, &o, encodeOrg, decodeOrg, i%10 == 0)
	}
}

// flips checks the flips of record r, and with jsonToo those of its JSON
// form, slower to decode.
func flips[R any](t *testing.T, i int, r *R, enc func([]byte, *R) []byte, dec func([]byte, *R) error, jsonToo bool) {
	t.Helper()
	b := enc(nil, r)
	if b[0] != recordBinary2 {
		t.Fatalf("record %d: written in form %d", i, b[0])
	}
	var got R
	for bit := range 8 * len(b) {
		bad := bytes.Clone(b)
		bad[bit/8] ^= 1 << (bit % 8)
		if err := dec(bad, &got); err == nil {
			t.Fatalf("record %d: the flip of bit %d decoded:\n%+v", i, bit, got)
		}
	}
	v1 := append([]byte{recordBinary1}, b[1+crcSize:]...)
	if err := dec(v1, &got); err != nil || !reflect.DeepEqual(&got, r) {
		t.Fatalf("record %d in the form without a checksum: %v\n%+v", i, err, got)
	}
	if !jsonToo {
		return
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for bit := range 8 * len(js) {
		bad := bytes.Clone(js)
		bad[bit/8] ^= 1 << (bit % 8)
		_ = dec(bad, &got)
	}
}

// TestExportLeavesOlderRecords: a store opened for an export or an import
// reads a file of older records without rewriting them.
func TestExportLeavesOlderRecords(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	if _, err := s.Import(context.Background(), &recordList{recs: fullRecords()}); err != nil {
		t.Fatal(err)
	}
	want := exportOf(t, s)
	s.Close()
	recordForms(t, dir, true)
	jsons, _ := recordForms(t, dir, false)
	for _, open := range []func(string, *slog.Logger) (*Store, error){OpenForExport, OpenForImport} {
		s, err := open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.upgraded != nil {
			t.Error("a rewrite started")
		}
		if !s.fileOnly {
			if got := exportOf(t, s); !reflect.DeepEqual(got, want) {
				t.Fatalf("the older file:\n%+v\nwant\n%+v", got, want)
			}
		}
		s.Close()
		if after, _ := recordForms(t, dir, false); after != jsons {
			t.Fatalf("%d of %d older records left", after, jsons)
		}
	}
}
