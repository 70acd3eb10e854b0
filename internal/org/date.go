package org

import "time"

// Date is a civil date counted in days, 0001-01-01 being day 1. Decisions,
// admissions and memberships are dated by day, so a day number keeps interval
// checks to integer comparisons; and the zero Date is no date at all, so an
// optional date that is unset cannot be mistaken for a real one.
type Date int32

// unixDay is the Date of 1970-01-01, where Unix time starts.
const unixDay = 719163

// Forever is the open end of an interval: a fact that has not ended. It is a
// real date, 9999-12-31, the usual "end of time" of temporal data, so that an
// open span reads and writes like any other.
const Forever Date = 3652059

// Decisions are dated in Vietnam, so "today" is the date in Hà Nội.
var vietnam = time.FixedZone("ICT", 7*60*60)

// Today is the current date in Vietnam.
func Today() Date { return DateOf(time.Now().In(vietnam)) }

// DateOf is the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return DateFrom(y, m, d)
}

// DateFrom is the given calendar date; out-of-range months and days
// normalise as time.Date does.
func DateFrom(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix()/86400 + unixDay)
}

// ParseDate reads a YYYY-MM-DD date. Loading a store parses about ten dates a
// member, so it reads the digits itself instead of going through time.Parse.
func ParseDate(s string) (Date, error) { return parseDate(s) }

// parseDate is ParseDate for JSON's bytes too, which it does not copy.
func parseDate[T string | []byte](s T) (Date, error) {
	y, ok1 := digits(s, 0, 4)
	m, ok2 := digits(s, 5, 2)
	d, ok3 := digits(s, 8, 2)
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !ok1 || !ok2 || !ok3 ||
		y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, Errorf(EInvalid, "ngày không hợp lệ %q: cần dạng YYYY-MM-DD", string(s))
	}
	return civil(y, m, d), nil
}

func digits[T string | []byte](s T, at, n int) (int, bool) {
	if len(s) < at+n {
		return 0, false
	}
	v := 0
	for i := at; i < at+n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civil is the day number of a valid proleptic Gregorian date (the
// days-from-civil algorithm: years counted from March, in 400-year eras).
func civil(y, m, d int) Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 719468 + unixDay)
}

// Time is the start of the date in UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d-unixDay)*86400, 0).UTC() }

// Year is the calendar year of the date.
func (d Date) Year() int { return d.Time().Year() }

// AddYears is the same day n years later (29 February becomes 1 March).
func (d Date) AddYears(n int) Date { return DateOf(d.Time().AddDate(n, 0, 0)) }

// AddDays is the date n days later.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return string(d.AppendText(make([]byte, 0, 10))) }

// AppendText appends YYYY-MM-DD to b.
func (d Date) AppendText(b []byte) []byte {
	y, m, day := d.civil()
	if y < 1 || y > 9999 {
		return d.Time().AppendFormat(b, time.DateOnly)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return d.AppendText(make([]byte, 0, 10)), nil }

// civil is the calendar date of d (the inverse of the function civil).
func (d Date) civil() (y, m, day int) {
	z := int(d) - unixDay + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, day
}

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := parseDate(b)
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

// Valid reports whether the span is non-empty.
func (s Span) Valid() bool { return s.Since < s.Until }
