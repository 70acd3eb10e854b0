package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	json "github.com/goccy/go-json"

	"dangbo/internal/org"
)

// Member and organisation records are stored in a compact binary form:
// decoding the members' JSON was the largest part of a restart. The first
// byte tells the form: a JSON record (every file before this form, and a
// write-ahead log written by such a binary) starts with '{', a binary one
// with its version. Older records are read as they are and rewritten in the
// current form in the background (upgrade.go).
//
// A binary record is: the version byte, the length of its head, the head
// (numbers as varints, each string as its length), then the bytes of every
// string in the head's order. Decoding copies the strings out in one
// allocation per record and reads nothing else of the input after it
// returns, so a record can be decoded straight from bbolt's mapped pages.
//
// bbolt keeps no checksum of its data pages, so a record of version 2 carries
// its own after the version byte: the CRC-32C of the rest, little-endian, as
// the write-ahead log's (the CPU computes it). A changed byte inside a sound
// page is then refused as damage instead of served, or read as another
// record. Records of version 1 have none and still decode; new writes, and
// the rewrite of older files, use version 2.
const (
	recordBinary1 = 1
	recordBinary2 = 2
	recordJSON    = '{'
	crcSize       = 4
)

// encodeMember appends member record r in the binary form to dst.
func encodeMember(dst []byte, r *org.MemberRecord) []byte {
	var w recordWriter
	w.str(r.ID)
	w.str(r.FullName)
	w.uint(uint64(r.Gender))
	w.date(r.AdmittedOn)
	w.optDate(r.OfficialOn)
	w.uint(uint64(r.Theory))
	p := &r.Personal
	w.optDate(p.BirthDate)
	w.str(p.Ethnicity)
	w.str(p.Phone)
	w.str(p.Email)
	w.str(p.Address)
	w.uint(uint64(len(r.Stints)))
	for _, s := range r.Stints {
		w.span(s.Span)
		w.str(s.CellID)
		w.bool(s.Temporary)
	}
	w.uint(uint64(len(r.Residences)))
	for _, s := range r.Residences {
		w.span(s.Span)
		w.str(s.CellID)
	}
	w.uint(uint64(len(r.Roles)))
	for _, t := range r.Roles {
		w.span(t.Span)
		w.str(t.OrgID)
		w.uint(uint64(t.Role))
		w.bool(t.HeadOfUnit)
	}
	w.ratings(r.Ratings)
	w.int(r.Rev)
	return w.finish(dst)
}

// decodeMember reads a member record in either form into r.
func decodeMember(v []byte, r *org.MemberRecord) error {
	rd, bin, err := openRecord(v)
	if err != nil || !bin {
		if err == nil {
			*r = org.MemberRecord{}
			if err = json.Unmarshal(v, r); err == nil {
				r.OwnStrings()
			}
		}
		return err
	}
	*r = org.MemberRecord{
		ID: rd.str(), FullName: rd.str(), Gender: org.Gender(rd.uint()),
		AdmittedOn: rd.date(), OfficialOn: rd.optDate(), Theory: org.Theory(rd.uint()),
	}
	p := &r.Personal
	p.BirthDate, p.Ethnicity, p.Phone, p.Email, p.Address = rd.optDate(), rd.str(), rd.str(), rd.str(), rd.str()
	if n := rd.count(); n > 0 {
		r.Stints = make([]org.Stint, n)
		for i := range r.Stints {
			r.Stints[i] = org.Stint{Span: rd.span(), CellID: rd.str(), Temporary: rd.bool()}
		}
	}
	if n := rd.count(); n > 0 {
		r.Residences = make([]org.Residence, n)
		for i := range r.Residences {
			r.Residences[i] = org.Residence{Span: rd.span(), CellID: rd.str()}
		}
	}
	if n := rd.count(); n > 0 {
		r.Roles = make([]org.RoleTerm, n)
		for i := range r.Roles {
			r.Roles[i] = org.RoleTerm{Span: rd.span(), OrgID: rd.str(), Role: org.Role(rd.uint()), HeadOfUnit: rd.bool()}
		}
	}
	r.Ratings = rd.ratings()
	r.Rev = rd.int()
	return rd.done("member")
}

// encodeOrg appends organisation record r in the binary form to dst.
func encodeOrg(dst []byte, r *org.OrgRecord) []byte {
	var w recordWriter
	w.str(r.ID)
	w.str(r.Code)
	w.uint(uint64(len(r.Versions)))
	for _, v := range r.Versions {
		w.span(v.Span)
		w.str(v.ParentID)
		w.str(v.Name)
		w.uint(uint64(v.Kind))
		w.uint(uint64(v.Sector))
	}
	w.ratings(r.Ratings)
	w.uint(uint64(len(r.Meetings)))
	for _, m := range r.Meetings {
		w.int(int64(m.Year))
		w.int(int64(m.Count))
		w.date(m.On)
	}
	w.int(r.Rev)
	return w.finish(dst)
}

// decodeOrg reads an organisation record in either form into r.
func decodeOrg(v []byte, r *org.OrgRecord) error {
	rd, bin, err := openRecord(v)
	if err != nil || !bin {
		if err == nil {
			*r = org.OrgRecord{}
			err = json.Unmarshal(v, r)
		}
		return err
	}
	*r = org.OrgRecord{ID: rd.str(), Code: rd.str()}
	if n := rd.count(); n > 0 {
		r.Versions = make([]org.Version, n)
		for i := range r.Versions {
			r.Versions[i] = org.Version{Span: rd.span(), ParentID: rd.str(), Name: rd.str(),
				Kind: org.Kind(rd.uint()), Sector: org.Sector(rd.uint())}
		}
	}
	r.Ratings = rd.ratings()
	if n := rd.count(); n > 0 {
		r.Meetings = make([]org.YearCount, n)
		for i := range r.Meetings {
			r.Meetings[i] = org.YearCount{Year: int(rd.int()), Count: int(rd.int()), On: rd.date()}
		}
	}
	r.Rev = rd.int()
	return rd.done("organisation")
}

// recordWriter builds a binary record: the head and the strings' bytes apart.
type recordWriter struct{ head, strs []byte }

func (w *recordWriter) uint(v uint64)   { w.head = binary.AppendUvarint(w.head, v) }
func (w *recordWriter) int(v int64)     { w.head = binary.AppendVarint(w.head, v) }
func (w *recordWriter) date(d org.Date) { w.int(int64(d)) }
func (w *recordWriter) span(s org.Span) { w.date(s.Since); w.date(s.Until) }

func (w *recordWriter) bool(b bool) {
	if b {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

// optDate writes a nil date as 0 and any other as 1 and the date.
func (w *recordWriter) optDate(d *org.Date) {
	w.bool(d != nil)
	if d != nil {
		w.date(*d)
	}
}

func (w *recordWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.strs = append(w.strs, s...)
}

func (w *recordWriter) ratings(rs []org.YearRating) {
	w.uint(uint64(len(rs)))
	for _, r := range rs {
		w.int(int64(r.Year))
		w.uint(uint64(r.Grade))
		w.date(r.On)
	}
}

func (w *recordWriter) finish(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, recordBinary2, 0, 0, 0, 0)
	dst = binary.AppendUvarint(dst, uint64(len(w.head)))
	dst = append(dst, w.head...)
	dst = append(dst, w.strs...)
	binary.LittleEndian.PutUint32(dst[start+1:], crc32.Checksum(dst[start+1+crcSize:], castagnoli))
	return dst
}

// recordReader reads a binary record's head; its strings are cut from one
// copy of the record's string bytes. The first malformed read sets err and
// makes every later read return zero.
type recordReader struct {
	head []byte
	strs string
	err  error
}

var (
	errMalformed = errors.New("malformed record")
	errChecksum  = errors.New("its checksum does not match its bytes")
)

// openRecord returns a reader of record v and whether it is binary: a JSON
// one is left to the caller to decode.
func openRecord(v []byte) (recordReader, bool, error) {
	switch {
	case len(v) == 0:
		return recordReader{}, false, errMalformed
	case v[0] == recordJSON:
		return recordReader{}, false, nil
	case v[0] == recordBinary2:
		if len(v) < 1+crcSize {
			return recordReader{}, false, errMalformed
		}
		if binary.LittleEndian.Uint32(v[1:]) != crc32.Checksum(v[1+crcSize:], castagnoli) {
			return recordReader{}, false, errChecksum
		}
		v = v[crcSize:] // the rest is laid out as version 1
	case v[0] != recordBinary1:
		return recordReader{}, false, fmt.Errorf("a record of unknown form %d (written by a later version of dangbo, or damaged)", v[0])
	}
	n, k := binary.Uvarint(v[1:])
	if k <= 0 || n > uint64(len(v)-1-k) {
		return recordReader{}, false, errMalformed
	}
	start := 1 + k
	return recordReader{head: v[start : start+int(n)], strs: string(v[start+int(n):])}, true, nil
}

func (r *recordReader) uint() uint64 {
	v, k := binary.Uvarint(r.head)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.head = r.head[k:]
	return v
}

func (r *recordReader) int() int64 {
	v, k := binary.Varint(r.head)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.head = r.head[k:]
	return v
}

func (r *recordReader) fail() {
	if r.err == nil {
		r.err = errMalformed
	}
	r.head = nil
}

func (r *recordReader) date() org.Date { return org.Date(r.int()) }
func (r *recordReader) span() org.Span { return org.Span{Since: r.date(), Until: r.date()} }
func (r *recordReader) bool() bool     { return r.uint() != 0 }

func (r *recordReader) optDate() *org.Date {
	if !r.bool() {
		return nil
	}
	d := r.date()
	return &d
}

func (r *recordReader) str() string {
	n := r.uint()
	if n > uint64(len(r.strs)) {
		r.fail()
		return ""
	}
	s := r.strs[:n]
	r.strs = r.strs[n:]
	return s
}

// count reads a list's length, refusing one longer than the head left could
// hold (each element takes a byte at least) before anything is allocated.
func (r *recordReader) count() int {
	n := r.uint()
	if n > uint64(len(r.head)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *recordReader) ratings() []org.YearRating {
	n := r.count()
	if n == 0 {
		return nil
	}
	rs := make([]org.YearRating, n)
	for i := range rs {
		rs[i] = org.YearRating{Year: int(r.int()), Grade: org.Grade(r.uint()), On: r.date()}
	}
	return rs
}

// done reports a malformed record, or one with bytes left over.
func (r *recordReader) done(what string) error {
	if r.err == nil && (len(r.head) > 0 || len(r.strs) > 0) {
		r.err = errMalformed
	}
	if r.err != nil {
		return fmt.Errorf("%s record: %w", what, r.err)
	}
	return nil
}

// isOlder tells a record in a form older than the current one: the JSON of
// older files, or the binary form without a checksum.
func isOlder(v []byte) bool { return len(v) > 0 && v[0] != recordBinary2 }
