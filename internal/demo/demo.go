// Package demo generates the demonstration dataset, deterministically from a
// seed: the Quảng Ninh provincial party organisation as it stood in early 2021
// and two communes of Vĩnh Phúc, at the scale and with the figures that the
// source articles report (DESIGN.md §3). Place names are real; people are not.
package demo

import (
	"io"
	"time"

	"dangbo/internal/org"
)

// Reference is the date the demo describes: after the 2020 ratings and the
// grassroots congresses of the 2020–2025 term.
var Reference = org.DateFrom(2021, time.January, 1)

// RatingYear is the year whose ratings the demo records.
const RatingYear = 2020

// DefaultSeed is the seed a fresh service seeds its store with.
const DefaultSeed uint64 = 20210101

// Dataset is a whole generated dataset: organisations parents first, then members.
type Dataset struct {
	Orgs    []org.OrgRecord
	Members []org.MemberRecord
}

// Generate builds the demo from seed. The same seed always yields the same
// records, ids included. The figures of DESIGN.md §3 hold for every seed; the
// seed only varies how members, cells and names are spread.
func Generate(seed uint64) *Dataset {
	d := &Dataset{}
	for _, p := range provinces {
		newBuilder(d, seed, p).build()
	}
	return d
}

// Reader yields the records of d, organisations first. The records are d's
// own, not copies: a consumer that changes them changes d.
func (d *Dataset) Reader() org.RecordReader { return &reader{d: d} }

type reader struct {
	d    *Dataset
	next int
}

func (r *reader) Read() (org.Record, error) {
	i := r.next
	r.next++
	switch {
	case i < len(r.d.Orgs):
		return org.Record{Org: &r.d.Orgs[i]}, nil
	case i-len(r.d.Orgs) < len(r.d.Members):
		return org.Record{Member: &r.d.Members[i-len(r.d.Orgs)]}, nil
	}
	r.next = len(r.d.Orgs) + len(r.d.Members)
	return org.Record{}, io.EOF
}
