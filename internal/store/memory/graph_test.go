package memory

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestOwnStringsMovesEveryString: after ownStrings, every string of a member
// with every field set lies in one allocation of their total size, so that
// none keeps the decoder's copy of the record alive. A string field added to
// the record and left out of ownStrings stays where it was and fails this.
func TestOwnStringsMovesEveryString(t *testing.T) {
	orig := fullRecords()[4].Member.Clone()
	before := unsafe.StringData(orig.Stints[0].CellID)
	r := orig // shares its slices, which others may be reading
	ownStrings(&r)
	if unsafe.StringData(orig.Stints[0].CellID) != before {
		t.Fatal("ownStrings wrote into the slices of the record it was given a copy of")
	}
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
	if len(strs) < 11 {
		t.Fatalf("the record has %d strings: fullRecords no longer sets every field", len(strs))
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
