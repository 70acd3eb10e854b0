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
// some twenty thousand. fn runs under the read lock and must not call the store.
func (s *Store) ScanMembers(ctx context.Context, v org.View, cells []string, fn func(key string, m *org.Member) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var member org.Member // one for all: fn's argument escapes
	for _, cell := range cells {
		e := s.g.orgs[cell]
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

// cellTallies are the tallies of every cell's members on one date.
type cellTallies map[string]*org.MemberTally

// buildTallies tallies every member on date d by their cell.
func (g *graph) buildTallies(d org.Date) (cellTallies, error) {
	out := cellTallies{}
	for _, e := range g.members {
		m, ok := e.rec.MemberAt(d)
		if !ok {
			continue
		}
		t := out[m.CellID]
		if t == nil {
			t = &org.MemberTally{}
			out[m.CellID] = t
		}
		t.Add(&m, d)
	}
	return out, nil
}

// CellTallies reads the tallies of the view's date, made once per date and
// write (as residence links are): a province's breakdown then adds up five
// thousand tallies instead of reading a hundred thousand members.
func (s *Store) CellTallies(_ context.Context, v org.View, cells []string) ([]*org.MemberTally, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all, err := s.tallies.get(v.At, func() (cellTallies, error) { return s.g.buildTallies(v.At) })
	if err != nil {
		return nil, err
	}
	out := make([]*org.MemberTally, len(cells))
	for i, id := range cells {
		out[i] = all[id]
	}
	return out, nil
}
