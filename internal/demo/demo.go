// Package demo generates the demonstration dataset, deterministically from a
// seed: the Quảng Ninh provincial party organisation as it stood in early 2021,
// two communes of Vĩnh Phúc, and the Kon Tum provincial party organisation
// with its history from 8 August 2016 to 25 October 2021, at the scale and
// with the figures that the source articles report (as the source articles report it). Place
// names are real; people are not.
package demo

import (
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"dangbo/internal/org"
)

// Reference is the date the demo describes Quảng Ninh and Vĩnh Phúc on: after
// the 2020 ratings and the grassroots congresses of the 2020–2025 term. Kon
// Tum's records hold its history, from 8 August 2016 to 25 October 2021.
var Reference = org.DateFrom(2021, time.January, 1)

// RatingYear is the year whose ratings the demo records.
const RatingYear = 2020

// DefaultSeed is the seed a fresh service seeds its store with.
const DefaultSeed uint64 = 20210101

// Dataset is a whole generated dataset: organisations parents first, then
// members, then the history by sequence number.
type Dataset struct {
	Orgs    []org.OrgRecord
	Members []org.MemberRecord
	Changes []org.Change
}

// Generate builds the demo from seed. The same seed always yields the same
// records, ids included. The figures of the source articles hold for every seed; the
// seed only varies how members, cells and names are spread.
func Generate(seed uint64) *Dataset {
	// Each province is built from its own random stream into its own
	// dataset, so they are built at once and joined in the order they are
	// listed: the same records as one after the other.
	parts := make([]*Dataset, len(provinces))
	var wg sync.WaitGroup
	for i, p := range provinces {
		members := 0
		for _, d := range p.districts {
			members += d.members
		}
		parts[i] = &Dataset{Members: make([]org.MemberRecord, 0, members)}
		wg.Go(func() { newBuilder(parts[i], seed, p).build() })
	}
	wg.Wait()
	d := &Dataset{}
	for _, part := range parts {
		d.Orgs = append(d.Orgs, part.Orgs...)
		d.Members = append(d.Members, part.Members...)
		d.Changes = append(d.Changes, part.Changes...)
		part.Changes = nil // the largest: let it go before sorting the history
	}
	numberChanges(d.Changes)
	// Members in id order, as a store exports them.
	slices.SortFunc(d.Members, func(a, b org.MemberRecord) int { return strings.Compare(a.ID, b.ID) })
	return d
}

// numberChanges numbers the provinces' histories, joined, in the order they
// were recorded.
func numberChanges(cs []org.Change) {
	slices.SortStableFunc(cs, func(a, b org.Change) int { return a.RecordedAt.Compare(b.RecordedAt) })
	for i := range cs {
		cs[i].Seq = int64(i + 1)
	}
}

// Reader yields the records of d: organisations, members, then changes. The
// records are d's own, not copies: a consumer that changes them changes d.
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
	case i-len(r.d.Orgs)-len(r.d.Members) < len(r.d.Changes):
		return org.Record{Change: &r.d.Changes[i-len(r.d.Orgs)-len(r.d.Members)]}, nil
	}
	r.next = len(r.d.Orgs) + len(r.d.Members) + len(r.d.Changes)
	return org.Record{}, io.EOF
}

// Province is the part of d under the province named name: its organisations,
// the members whose first cell is among them and the changes within it. The
// records are shared with d.
func (d *Dataset) Province(name string) *Dataset {
	in := map[string]bool{}
	out := &Dataset{}
	root := ""
	for _, o := range d.Orgs { // parents come first
		if v := o.Versions[0]; v.Name == name && v.ParentID == "" || in[v.ParentID] {
			in[o.ID] = true
			out.Orgs = append(out.Orgs, o)
			if v.ParentID == "" {
				root = o.ID
			}
		}
	}
	for _, m := range d.Members {
		if in[m.Stints[0].CellID] {
			out.Members = append(out.Members, m)
		}
	}
	for _, c := range d.Changes {
		if root != "" && c.Within(root) {
			out.Changes = append(out.Changes, c)
		}
	}
	return out
}

// Clone returns a copy of d that shares no record with it, for a store that
// may keep or change what it imports.
func (d *Dataset) Clone() *Dataset {
	c := &Dataset{Orgs: make([]org.OrgRecord, len(d.Orgs)), Members: make([]org.MemberRecord, len(d.Members)),
		Changes: make([]org.Change, len(d.Changes))}
	for i := range d.Orgs {
		c.Orgs[i] = d.Orgs[i].Clone()
	}
	for i := range d.Members {
		c.Members[i] = d.Members[i].Clone()
	}
	for i := range d.Changes {
		c.Changes[i] = cloneChange(&d.Changes[i])
	}
	return c
}

// cloneChange copies a change with its subjects, scope and records.
func cloneChange(ch *org.Change) org.Change {
	c := *ch
	c.Subjects, c.Scope = slices.Clone(c.Subjects), slices.Clone(c.Scope)
	c.Before, c.After = cloneRecords(c.Before), cloneRecords(c.After)
	return c
}

func cloneRecords(rs []org.Record) []org.Record {
	if rs == nil {
		return nil
	}
	out := make([]org.Record, len(rs))
	for i, r := range rs {
		switch {
		case r.Org != nil:
			o := r.Org.Clone()
			out[i].Org = &o
		case r.Member != nil:
			m := r.Member.Clone()
			out[i].Member = &m
		}
	}
	return out
}

// VinhPhuc is the demo's Vĩnh Phúc province alone, generated once from the
// default seed: real demo data small enough for any test. Callers share it, so
// they import a Clone.
var VinhPhuc = sync.OnceValue(func() *Dataset {
	return Generate(DefaultSeed).Province("Đảng bộ tỉnh Vĩnh Phúc")
})
