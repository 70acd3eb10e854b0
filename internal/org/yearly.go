package org

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// Yearly facts: the ratings of a year (YearRating) and a cell's thematic
// meetings of a year (YearCount). Each is what one decision recorded, on the
// decision's effective date (On), and a read as of a date shows only what
// was decided by then: a rating of 2021 decided on 30 December 2021 is not
// there on 1 June 2021, when the organisation may have belonged to another
// committee. A record keeps every decision of a year, ordered by year and
// date, so a replaced rating still reads as it stood before the new one.
//
// A fact recorded before facts carried their date has none (On is zero): it
// counts as decided on 31 December of its year, when the year it rates is
// over, unless a store's upgrade found the change that recorded it
// (FactDates). A decision of that very date is kept undated too, so that a
// fact has one form whichever store holds it (Neo4j stores the fallback).

// yearly is a fact of one year as one decision recorded it.
type yearly[T any] interface {
	YearRating | YearCount
	year() int
	value() int // the grade or the count
	on() Date   // zero when undated
	dated(on Date) T
}

func (y YearRating) year() int                { return y.Year }
func (y YearCount) year() int                 { return y.Year }
func (y YearRating) value() int               { return int(y.Grade) }
func (y YearCount) value() int                { return y.Count }
func (y YearRating) on() Date                 { return y.On }
func (y YearCount) on() Date                  { return y.On }
func (y YearRating) dated(on Date) YearRating { y.On = DecisionDate(y.Year, on); return y }
func (y YearCount) dated(on Date) YearCount   { y.On = DecisionDate(y.Year, on); return y }

// Decided is the date the rating was decided: its own, or the fallback.
func (y YearRating) Decided() Date { return decidedOn(y.Year, y.On) }

// Decided is the date the meetings were recorded: their own, or the fallback.
func (y YearCount) Decided() Date { return decidedOn(y.Year, y.On) }

// MarshalJSON writes the rating as its fields' tags say; an undated one
// without "on", which goccy/go-json (the embedded store's encoder) would
// write for omitempty too, as the zero Date's text that reads back as no date.
func (y YearRating) MarshalJSON() ([]byte, error) {
	g, err := y.Grade.MarshalText()
	if err != nil {
		return nil, err
	}
	b := strconv.AppendInt(append(make([]byte, 0, 64), `{"year":`...), int64(y.Year), 10)
	b = append(append(append(b, `,"grade":"`...), g...), '"')
	return appendOn(b, y.On), nil
}

// MarshalJSON writes the count as YearRating's MarshalJSON does a rating.
func (y YearCount) MarshalJSON() ([]byte, error) {
	b := strconv.AppendInt(append(make([]byte, 0, 64), `{"year":`...), int64(y.Year), 10)
	b = strconv.AppendInt(append(b, `,"count":`...), int64(y.Count), 10)
	return appendOn(b, y.On), nil
}

// appendOn ends a yearly fact's JSON with its date, if it has one.
func appendOn(b []byte, on Date) []byte {
	if on != 0 {
		b = append(on.AppendText(append(b, `,"on":"`...)), '"')
	}
	return append(b, '}')
}

// decided is the date fact f was decided: its own, or an undated one's fallback.
func decided[T yearly[T]](f T) Date { return decidedOn(f.year(), f.on()) }

// decidedOn is the date a fact of year was decided: on, or the fallback of
// an undated one.
func decidedOn(year int, on Date) Date {
	if on != 0 {
		return on
	}
	return civil(year, 12, 31) // DateFrom's arithmetic without time.Date: reads ask it of every rating
}

// DecisionDate is the On of a fact of year decided on date on: zero for
// the fallback's date.
func DecisionDate(year int, on Date) Date {
	if on == decidedOn(year, 0) {
		return 0
	}
	return on
}

func byYearThenDate[T yearly[T]](a, b T) int {
	return cmp.Or(cmp.Compare(a.year(), b.year()), cmp.Compare(decided(a), decided(b)))
}

// decidedBy is the facts in force on date d, one a year: of each year the
// latest decided on or before d. The slice itself when that is all of it.
func decidedBy[T yearly[T]](facts []T, d Date) []T {
	all := true
	for i, f := range facts {
		if decided(f) > d || i > 0 && facts[i-1].year() == f.year() {
			all = false
			break
		}
	}
	if all {
		return facts
	}
	var out []T
	for _, f := range facts {
		switch {
		case decided(f) > d:
		case len(out) > 0 && out[len(out)-1].year() == f.year():
			out[len(out)-1] = f
		default:
			out = append(out, f)
		}
	}
	return out
}

// decide is facts (not changed) with f recorded: in force from its date, it
// replaces only what was decided for its year on that same date.
func decide[T yearly[T]](facts []T, f T) []T {
	f = f.dated(f.on())
	out := slices.DeleteFunc(slices.Clone(facts), func(x T) bool { return x.year() == f.year() && decided(x) == decided(f) })
	i, _ := slices.BinarySearchFunc(out, f, byYearThenDate[T])
	return slices.Insert(out, i, f)
}

// FactDates dates the undated yearly facts of records a store wrote before
// facts carried their date, by the changes that recorded them: each gets the
// effective date of the last change (by number) that recorded its year's
// value undated, else with a date. One no change recorded (the demo's
// starting ratings, an import without history) keeps the fallback. A change
// that recorded the value undated was made before facts carried their date:
// a grade recorded again with its date since leaves the same grade recorded
// undated before it to its own change.
type FactDates map[factKey]noted

type noted struct {
	seq int64
	on  Date
}

type factKey struct {
	id          string
	meeting     bool
	year, value int
	dated       bool // recorded with its date
}

// Note learns from change c, in any order.
func (f FactDates) Note(c *Change) {
	if c.Type != ChangeRated && c.Type != ChangeMeetingsRecorded {
		return
	}
	before := map[string]Record{}
	for _, r := range c.Before {
		before[r.ID()] = r
	}
	for _, r := range c.After {
		was := before[r.ID()]
		if o := r.Org; o != nil {
			had := cmp.Or(was.Org, &OrgRecord{})
			noteNew(f, o.ID, false, o.Ratings, had.Ratings, c)
			noteNew(f, o.ID, true, o.Meetings, had.Meetings, c)
		}
		if m := r.Member; m != nil {
			had := cmp.Or(was.Member, &MemberRecord{})
			noteNew(f, m.ID, false, m.Ratings, had.Ratings, c)
		}
	}
}

// noteNew notes the facts of after that before lacks as recorded by change
// c, unless a later change recorded them too.
func noteNew[T yearly[T]](f FactDates, id string, meeting bool, after, before []T, c *Change) {
	for _, x := range after {
		k := factKey{id, meeting, x.year(), x.value(), x.on() != 0}
		if was, ok := f[k]; !slices.Contains(before, x) && (!ok || was.seq < c.Seq) {
			f[k] = noted{c.Seq, c.EffectiveOn}
		}
	}
}

// DateChange dates the undated facts of change c's records, the changes
// before it noted in f, in number order: a fact of a record before c by the
// last change before c that recorded it, one of a record after c by the last
// up to c itself, which it notes. False when it found none to date.
func (f FactDates) DateChange(c *Change) bool {
	f.Note(c)
	dated := false
	for i, recs := range [][]Record{c.Before, c.After} {
		upTo := c.Seq - 1 + int64(i)
		for _, r := range recs {
			if r.Org != nil {
				dated = f.dateOrg(r.Org, upTo) || dated
			}
			if r.Member != nil {
				dated = dateFacts(f, r.Member.ID, false, &r.Member.Ratings, upTo) || dated
			}
		}
	}
	return dated
}

// DateOrg dates r's undated facts; false when it found none to date.
func (f FactDates) DateOrg(r *OrgRecord) bool { return f.dateOrg(r, math.MaxInt64) }

// dateOrg dates r's undated facts by the changes up to number upTo.
func (f FactDates) dateOrg(r *OrgRecord, upTo int64) bool {
	a, b := dateFacts(f, r.ID, false, &r.Ratings, upTo), dateFacts(f, r.ID, true, &r.Meetings, upTo)
	return a || b
}

// DateMember dates r's undated ratings; false when it found none to date.
func (f FactDates) DateMember(r *MemberRecord) bool {
	return dateFacts(f, r.ID, false, &r.Ratings, math.MaxInt64)
}

// dateFacts dates the undated facts of *facts that f knows of the changes up
// to number upTo, in a new slice kept in order; false when there were none.
// It leaves undated a fact that would be one already there.
func dateFacts[T yearly[T]](f FactDates, id string, meeting bool, facts *[]T, upTo int64) bool {
	var out []T
	for i, x := range *facts {
		k := factKey{id, meeting, x.year(), x.value(), false}
		n, ok := f[k]
		if !ok || n.seq > upTo {
			k.dated = true
			n, ok = f[k]
		}
		if !ok || n.seq > upTo || x.on() != 0 || DecisionDate(x.year(), n.on) == 0 || slices.Contains(*facts, x.dated(n.on)) {
			continue
		}
		if out == nil {
			out = slices.Clone(*facts)
		}
		out[i] = x.dated(n.on)
	}
	if out == nil {
		return false
	}
	slices.SortStableFunc(out, byYearThenDate[T])
	*facts = out
	return true
}
