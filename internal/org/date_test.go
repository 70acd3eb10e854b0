package org

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDateText(t *testing.T) {
	d, err := ParseDate("2021-01-01")
	if err != nil || d != DateFrom(2021, 1, 1) || d.String() != "2021-01-01" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	if Forever.String() != "9999-12-31" || DateFrom(9999, 12, 31) != Forever {
		t.Fatalf("Forever = %s", Forever)
	}
	// No real date is the zero Date, which means "no date".
	if DateFrom(1970, 1, 1) == 0 || DateFrom(1, 1, 1) != 1 {
		t.Fatalf("1970-01-01 = %d, 0001-01-01 = %d", DateFrom(1970, 1, 1), DateFrom(1, 1, 1))
	}
	for _, bad := range []string{"", "2021-13-01", "2021-02-30", "01/02/2021", "2021-1-1"} {
		if _, err := ParseDate(bad); ErrorCode(err) != EInvalid {
			t.Errorf("ParseDate(%q) = %v", bad, err)
		}
	}
	// Parsing and formatting agree with the time package on every day of 1900–2100.
	for day := DateFrom(1900, 1, 1); day <= DateFrom(2100, 12, 31); day++ {
		if want := day.Time().Format(time.DateOnly); day.String() != want {
			t.Fatalf("String() = %s, want %s", day, want)
		}
		if got, err := ParseDate(day.String()); err != nil || got != day {
			t.Fatalf("ParseDate(%s) = %v, %v", day, got, err)
		}
	}
	if got, _ := ParseDate("9999-12-31"); got != Forever {
		t.Fatal("9999-12-31 is not Forever")
	}
	for _, bad := range []string{"2021-02-29", "2100-02-29", "2021-04-31", "2021-00-10", "202a-01-01", "2021/01/01", "0000-12-31"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if got, err := ParseDate("2024-02-29"); err != nil || got != DateFrom(2024, 2, 29) {
		t.Fatalf("leap day: %v, %v", got, err)
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
