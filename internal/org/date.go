package org

import "time"

// Date is a civil date counted in days since 1970-01-01. Decisions, admissions
// and memberships are dated by day, so a day number keeps interval checks to
// integer comparisons.
type Date int32

// Forever is the open end of an interval: a fact that has not ended. It is a
// real date, 9999-12-31, the usual "end of time" of temporal data, so that an
// open span reads and writes like any other.
const Forever Date = 2932896

// Decisions are dated in Vietnam, so "today" is the date in Hà Nội.
var vietnam = time.FixedZone("ICT", 7*60*60)

// Today is the current date in Vietnam.
func Today() Date { return DateOf(time.Now().In(vietnam)) }

// DateOf is the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return DateFrom(y, m, d)
}

// DateFrom is the given calendar date.
func DateFrom(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, Errorf(EInvalid, "ngày không hợp lệ %q: cần dạng YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// Time is the start of the date in UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Year is the calendar year of the date.
func (d Date) Year() int { return d.Time().Year() }

// AddYears is the same day n years later (29 February becomes 1 March).
func (d Date) AddYears(n int) Date { return DateOf(d.Time().AddDate(n, 0, 0)) }

// AddDays is the date n days later.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Span is the half-open interval [Since, Until) over which a fact holds.
type Span struct {
	Since Date `json:"since"`
	Until Date `json:"until"`
}

// Holds reports whether the fact holds on date d.
func (s Span) Holds(d Date) bool { return s.Since <= d && d < s.Until }

// Open reports whether the fact has no end.
func (s Span) Open() bool { return s.Until == Forever }

// valid reports whether the span is non-empty.
func (s Span) valid() bool { return s.Since < s.Until }
