package org

import (
	"encoding/json"
	"testing"
)

func TestDateText(t *testing.T) {
	d, err := ParseDate("2021-01-01")
	if err != nil || d != DateFrom(2021, 1, 1) || d.String() != "2021-01-01" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	if Forever.String() != "9999-12-31" {
		t.Fatalf("Forever = %s", Forever)
	}
	for _, bad := range []string{"", "2021-13-01", "2021-02-30", "01/02/2021", "2021-1-1"} {
		if _, err := ParseDate(bad); ErrorCode(err) != EInvalid {
			t.Errorf("ParseDate(%q) = %v", bad, err)
		}
	}
	if d.AddYears(1) != DateFrom(2022, 1, 1) || DateFrom(2020, 2, 29).AddYears(1) != DateFrom(2021, 3, 1) {
		t.Fatal("AddYears")
	}
}

// Types that embed Span must keep all their fields in JSON: a MarshalJSON on
// Span would be promoted and drop them.
func TestEmbeddedSpanJSON(t *testing.T) {
	in := Stint{Span: Span{DateFrom(2010, 1, 1), Forever}, CellID: "ocell", Temporary: true}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Stint
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip of %s = %+v, %v", b, out, err)
	}
}
