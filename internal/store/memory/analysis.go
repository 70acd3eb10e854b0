package memory

import (
	"context"

	"dangbo/internal/org"
)

var (
	_ org.MemberScanner = (*Store)(nil)
	_ org.MemberTallier = (*Store)(nil)
)

// ScanMembers walks each cell's name-ordered list of members ever, as
// CellMembers does, without paging: a district's filtered member list reads
// some twenty thousand. fn runs holding the side and must not call the store.
func (s *Store) ScanMembers(ctx context.Context, v org.View, cells []string, fn func(key string, m *org.Member) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sd := s.read()
	defer sd.mu.RUnlock()
	var member org.Member // one for all: fn's argument escapes
	for _, cell := range cells {
		e := sd.g.orgs[cell]
		if e == nil {
			continue
		}
		for _, m := range e.stints {
			var ok bool
			if member, ok = m.rec.MemberAt(v.At); !ok || member.CellID != cell {
				continue
			}
			if err := fn(m.key, &member); err != nil {
				return err
			}
		}
	}
	return nil
}

// cellTallies are the tallies of every cell's members on one date. A
// tally, once handed to a reader, is never changed: a write replaces it.
type cellTallies struct {
	at    org.Date
	cells map[string]*org.MemberTally
}

// buildTallies tallies every member on date d by their cell.
func (g *graph) buildTallies(d org.Date) (cellTallies, error) {
	t := cellTallies{at: d, cells: map[string]*org.MemberTally{}}
	for _, e := range g.members {
		m, ok := e.rec.MemberAt(d)
		if !ok {
			continue
		}
		c := t.cells[m.CellID]
		if c == nil {
			c = &org.MemberTally{}
			t.cells[m.CellID] = c
		}
		c.Add(&m, d)
	}
	return t, nil
}

// replace counts member record is instead of was (either may be nil), in
// fresh copies of the tallies it changes. The caller holds the side
// exclusively.
func (t cellTallies) replace(was, is *org.MemberRecord) {
	for n, r := range []*org.MemberRecord{was, is} {
		if r == nil {
			continue
		}
		m, ok := r.MemberAt(t.at)
		if !ok {
			continue
		}
		c := &org.MemberTally{}
		if old := t.cells[m.CellID]; old != nil {
			c = old.Clone()
		}
		if n == 0 {
			c.Remove(&m, t.at)
		} else {
			c.Add(&m, t.at)
		}
		t.cells[m.CellID] = c
	}
}

// CellTallies reads the tallies of the view's date, made once per date and
// kept up to date by every write: a province's breakdown then adds up five
// thousand tallies instead of reading a hundred thousand members.
func (s *Store) CellTallies(ctx context.Context, v org.View, cells []string) ([]*org.MemberTally, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	all, err := sd.tallies.get(ctx, v.At, func() (cellTallies, error) { return sd.g.buildTallies(v.At) })
	if err != nil {
		return nil, err
	}
	out := make([]*org.MemberTally, len(cells))
	for i, id := range cells {
		out[i] = all.cells[id]
	}
	return out, nil
}
