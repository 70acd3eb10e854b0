package org

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"dangbo/internal/testseed"
)

// An organisation or member read as of a date shows, of each year, the
// rating or meetings decided last on or before that date: not one decided
// later (perhaps by a committee it moved to, which an outside tester read as
// the former owner's viewer), and a replaced one as it stood before. Records
// of generated decisions, in shuffled order, against the decisions themselves.
func TestYearlyFactsAsOfADate(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 5), 5))
	start := DateFrom(2019, 1, 1)
	for range 200 {
		type decision struct {
			year, value int
			on          Date
		}
		var ds []decision
		o := OrgRecord{ID: "o", Versions: []Version{{Span: Span{Since: start, Until: Forever}, Name: "Chi bộ", Kind: Cell}}}
		m := MemberRecord{ID: "m", Stints: []Stint{{Span: Span{Since: start, Until: Forever}, CellID: "o"}}}
		for range rng.IntN(12) {
			d := decision{year: 2019 + rng.IntN(3), value: rng.IntN(int(NumGrades))}
			d.on = DateFrom(d.year, time.January, 1) + Date(rng.IntN(500))
			if rng.IntN(4) == 0 { // an undated fact of an older store
				d.on = 0
			}
			ds = append(ds, d)
			o.Ratings = decide(o.Ratings, YearRating{Year: d.year, Grade: Grade(d.value), On: d.on})
			o.Meetings = decide(o.Meetings, YearCount{Year: d.year, Count: d.value, On: d.on})
			m.Ratings = decide(m.Ratings, YearRating{Year: d.year, Grade: Grade(d.value), On: d.on})
		}
		for range 10 {
			at := start + Date(rng.IntN(4*365))
			// want: of each year, the last decision on the latest date by at.
			want := map[int]decision{}
			for _, d := range ds {
				if w, ok := want[d.year]; decidedOn(d.year, d.on) <= at && (!ok || decidedOn(d.year, d.on) >= decidedOn(w.year, w.on)) {
					want[d.year] = d
				}
			}
			got, _ := o.OrgAt(at)
			mem, _ := m.MemberAt(at)
			recs := []Record{{Org: &o}, {Member: &m}}
			cut := []Record{{Org: new(o)}, {Member: new(m)}}
			cutRecords(cut, at)
			for _, seen := range []struct {
				what     string
				ratings  []YearRating
				meetings []YearCount
			}{{"org", got.Ratings, got.Meetings}, {"member", mem.Ratings, nil}, {"history's org", cut[0].Org.Ratings, cut[0].Org.Meetings},
				{"history's member", cut[1].Member.Ratings, nil}} {
				check := func(years []int, values []int, ons []Date) {
					t.Helper()
					if len(years) != len(want) || !slices.IsSorted(years) {
						t.Fatalf("%s as of %s: years %v, want those of %v (decisions %v)", seen.what, at, years, want, ds)
					}
					for i, y := range years {
						w := want[y]
						if values[i] != w.value || ons[i] != DecisionDate(y, w.on) {
							t.Fatalf("%s as of %s: year %d reads %d decided %s, want %d decided %s (decisions %v)", seen.what, at, y, values[i], ons[i], w.value, w.on, ds)
						}
					}
				}
				var years, values []int
				var ons []Date
				for _, r := range seen.ratings {
					years, values, ons = append(years, r.Year), append(values, int(r.Grade)), append(ons, r.On)
				}
				check(years, values, ons)
				if seen.meetings != nil || len(want) == 0 {
					years, values, ons = nil, nil, nil
					for _, r := range seen.meetings {
						years, values, ons = append(years, r.Year), append(values, r.Count), append(ons, r.On)
					}
					check(years, values, ons)
				}
			}
			if len(recs[0].Org.Ratings) != len(o.Ratings) {
				t.Fatal("a read changed the record")
			}
		}
	}
}

// An organisation read as of a date before its end shows no end: the end
// was decided later (perhaps by the committee it moved to); on its last day
// it shows the end.
func TestEndedAsOfADate(t *testing.T) {
	end := DateFrom(2022, 3, 1)
	o := OrgRecord{ID: "o", Versions: []Version{{Span: Span{Since: DateFrom(2019, 1, 1), Until: end}, Name: "Chi bộ", Kind: Cell}}}
	for at, want := range map[Date]Date{DateFrom(2020, 1, 1): Forever, end - 2: Forever, end - 1: end} {
		if got, _ := o.OrgAt(at); got.EndedOn != want {
			t.Errorf("as of %s: ended %s, want %s", at, got.EndedOn, want)
		}
	}
}

// An older store's undated facts take the date of the change that recorded
// them (the last, when a year was recorded again), and the fallback when no
// change did.
func TestFactDates(t *testing.T) {
	rec := func(rs []YearRating, ms []YearCount) *OrgRecord {
		return &OrgRecord{ID: "o", Ratings: rs, Meetings: ms}
	}
	d1, d2, d3 := DateFrom(2021, 12, 20), DateFrom(2022, 1, 10), DateFrom(2022, 2, 1)
	f := FactDates{}
	changes := []Change{
		{Seq: 1, Type: ChangeRated, EffectiveOn: d1, After: []Record{{Org: rec([]YearRating{{Year: 2021, Grade: Good}}, nil)}}},
		{Seq: 2, Type: ChangeRated, EffectiveOn: d2, Before: []Record{{Org: rec([]YearRating{{Year: 2021, Grade: Good}}, nil)}},
			After: []Record{{Org: rec([]YearRating{{Year: 2021, Grade: Excellent}}, nil)}}},
		{Seq: 3, Type: ChangeMeetingsRecorded, EffectiveOn: d3, Before: []Record{{Org: rec([]YearRating{{Year: 2021, Grade: Excellent}}, nil)}},
			After: []Record{{Org: rec([]YearRating{{Year: 2021, Grade: Excellent}}, []YearCount{{Year: 2021, Count: 4}})}}},
		{Seq: 4, Type: ChangeRenamed, EffectiveOn: d3, After: []Record{{Org: rec([]YearRating{{Year: 2020, Grade: Good}}, nil)}}},
	}
	for i := range slices.Backward(changes) { // their numbers order them
		f.Note(&changes[i])
	}
	o := rec([]YearRating{{Year: 2020, Grade: Good}, {Year: 2021, Grade: Excellent}}, []YearCount{{Year: 2021, Count: 4}})
	m := &MemberRecord{ID: "m", Ratings: []YearRating{{Year: 2021, Grade: Good}}}
	if !f.DateOrg(o) || f.DateMember(m) {
		t.Fatal("DateOrg found nothing to date, or DateMember something")
	}
	if want := []YearRating{{Year: 2020, Grade: Good}, {Year: 2021, Grade: Excellent, On: d2}}; !slices.Equal(o.Ratings, want) {
		t.Errorf("ratings %v, want %v", o.Ratings, want)
	}
	if want := []YearCount{{Year: 2021, Count: 4, On: d3}}; !slices.Equal(o.Meetings, want) {
		t.Errorf("meetings %v, want %v", o.Meetings, want)
	}
	if f.DateOrg(o) {
		t.Error("dated facts dated again")
	}
}

// A grade recorded undated before facts carried their date, then recorded
// again with a date since, keeps the date of its first change, and one no
// change recorded undated is not made a copy of the dated one; the records
// of the history are dated as the store stood before and after each change.
func TestFactDatesAfterAnUpgrade(t *testing.T) {
	rec := func(rs ...YearRating) []Record { return []Record{{Org: &OrgRecord{ID: "o", Ratings: rs}}} }
	d1, d2 := DateFrom(2026, 6, 1), DateFrom(2026, 9, 1)
	good, seeded := YearRating{Year: 2026, Grade: Good}, YearRating{Year: 2025, Grade: Good}
	changes := []Change{
		{Seq: 1, Type: ChangeRated, EffectiveOn: d1, Before: rec(seeded), After: rec(seeded, good)},
		{Seq: 2, Type: ChangeRated, EffectiveOn: d2, Before: rec(seeded, good), After: rec(seeded, good, good.dated(d2))},
		{Seq: 3, Type: ChangeRated, EffectiveOn: d2, Before: rec(seeded, good, good.dated(d2)),
			After: rec(seeded, seeded.dated(d2), good, good.dated(d2))},
	}
	f := FactDates{}
	for i := range changes {
		f.DateChange(&changes[i])
	}
	want := []Change{
		{Before: rec(seeded), After: rec(seeded, good.dated(d1))},
		{Before: rec(seeded, good.dated(d1)), After: rec(seeded, good.dated(d1), good.dated(d2))},
		{Before: rec(seeded, good.dated(d1), good.dated(d2)), After: rec(seeded, seeded.dated(d2), good.dated(d1), good.dated(d2))},
	}
	for i, c := range changes {
		if !reflect.DeepEqual(c.Before, want[i].Before) || !reflect.DeepEqual(c.After, want[i].After) {
			t.Errorf("change %d: before %v after %v, want %v and %v", c.Seq, c.Before[0].Org.Ratings, c.After[0].Org.Ratings,
				want[i].Before[0].Org.Ratings, want[i].After[0].Org.Ratings)
		}
	}
	o := &OrgRecord{ID: "o", Ratings: []YearRating{seeded, seeded.dated(d2), good.dated(d2), good}}
	if !f.DateOrg(o) {
		t.Fatal("nothing dated")
	}
	if want := []YearRating{seeded, seeded.dated(d2), good.dated(d1), good.dated(d2)}; !slices.Equal(o.Ratings, want) {
		t.Errorf("ratings %v, want %v", o.Ratings, want)
	}
}

// A yearly fact's JSON, through the standard encoder and the embedded
// store's, reads back as itself; an undated one has no date.
func TestYearlyFactsJSON(t *testing.T) {
	rec := OrgRecord{ID: "o", Ratings: []YearRating{{Year: 2020, Grade: Good}, {Year: 2021, Grade: Excellent, On: DateFrom(2021, 12, 30)}},
		Meetings: []YearCount{{Year: 2020, Count: 3}, {Year: 2021, Count: 0, On: DateFrom(2022, 1, 5)}}}
	for name, codec := range map[string]struct {
		marshal   func(any) ([]byte, error)
		unmarshal func([]byte, any) error
	}{"encoding/json": {json.Marshal, json.Unmarshal}, "goccy/go-json": {gojson.Marshal, gojson.Unmarshal}} {
		b, err := codec.marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var got OrgRecord
		if err := codec.unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, rec) {
			t.Errorf("%s: %s reads back as %+v (%v)", name, b, got, err)
		}
		if want := `"ratings":[{"year":2020,"grade":"GOOD"},{"year":2021,"grade":"EXCELLENT","on":"2021-12-30"}]`; !strings.Contains(string(b), want) {
			t.Errorf("%s: %s, want %s", name, b, want)
		}
	}
}

// An undated fact counts as decided on 31 December of its year.
func TestUndatedFallback(t *testing.T) {
	for y := 1930; y <= 2100; y++ {
		if got, want := decidedOn(y, 0), DateFrom(y, time.December, 31); got != want {
			t.Fatalf("an undated fact of %d counts as decided on %s, want %s", y, got, want)
		}
	}
}
