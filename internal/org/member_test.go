package org

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestOwnStringsMovesEveryString: after OwnStrings, every string of a member
// with every field set lies in one allocation of their total size, so that
// none keeps the decoder's copy of the record alive. A string field added to
// the record and left out of OwnStrings stays where it was and fails this.
func TestOwnStringsMovesEveryString(t *testing.T) {
	d := DateFrom
	r := MemberRecord{ID: "m1", FullName: "Vũ Thị Lan", AdmittedOn: d(1999, 5, 19), OfficialOn: new(d(2000, 5, 19)),
		Personal: Personal{BirthDate: new(d(1975, 2, 3)), Ethnicity: "Tày", Phone: "0912 345 678", Email: "lan@example.vn", Address: "Khu 3"},
		Stints: []Stint{
			{Span: Span{Since: d(2000, 1, 1), Until: d(2020, 1, 1)}, CellID: "ocomm"},
			{Span: Span{Since: d(2020, 1, 1), Until: Forever}, CellID: "oschool"},
		},
		Residences: []Residence{{Span: Span{Since: d(2020, 6, 1), Until: Forever}, CellID: "ocell"}},
		Roles:      []RoleTerm{{Span: Span{Since: d(2020, 1, 1), Until: Forever}, OrgID: "oschool", Role: Secretary}},
		Ratings:    []YearRating{{Year: 2020, Grade: Good}},
	}
	r.OwnStrings()
	var strs []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			strs = append(strs, v.String())
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		}
	}
	walk(reflect.ValueOf(r))
	if len(strs) != 10 {
		t.Fatalf("the record has %d strings, the test sets 10: a field was added, set it here", len(strs))
	}
	total := 0
	for _, s := range strs {
		total += len(s)
	}
	base := uintptr(unsafe.Pointer(unsafe.StringData(r.ID)))
	for _, s := range strs {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p < base || p+uintptr(len(s)) > base+uintptr(total) {
			t.Errorf("%q is not in the member's own allocation", s)
		}
	}
}
