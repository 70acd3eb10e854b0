package memory

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// TestReadersSeeCommittedStates: readers running beside writes that each move
// several members to other cells at once see only states that a prefix of the
// committed writes left, never an older one after a newer: the members per
// cell of a whole-province chart and of a scan of every cell are each those
// after some write, and the chart's counts add up.
func TestReadersSeeCommittedStates(t *testing.T) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	s := openStore(t, t.TempDir(), nil)
	if _, err := s.Import(ctx, demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Vĩnh Phúc").Reader()); err != nil {
		t.Fatal(err)
	}
	d := org.DateFrom(2021, 1, 1)
	view := org.View{At: d}
	roots, err := s.Roots(ctx, view)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots %v: %v", roots, err)
	}
	g := s.active.Load().g // no write yet: both sides hold the same records
	var cells []string
	for id, e := range g.orgs {
		if v, ok := e.rec.At(d); ok && v.Kind.HoldsMembers() {
			cells = append(cells, id)
		}
	}
	slices.Sort(cells)
	cellOf := map[string]string{} // each member's cell after the writes so far
	for id, e := range g.members {
		if c := e.rec.CellOn(d); c != "" {
			cellOf[id] = c
		}
	}
	members := slices.Sorted(func(yield func(string) bool) {
		for id := range cellOf {
			if !yield(id) {
				return
			}
		}
	})
	// A state is the number of members of each cell, in the order of cells.
	state := func(count map[string]int32) uint64 {
		h := fnv.New64a()
		for _, c := range cells {
			n := count[c]
			h.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
		}
		return h.Sum64()
	}
	committed := func() uint64 {
		count := map[string]int32{}
		for _, c := range cellOf {
			count[c]++
		}
		return state(count)
	}
	var mu sync.Mutex
	// The committed states, each with the writes after which it held: a write
	// may leave the counts as they were.
	revision := map[uint64][]int{committed(): {0}}

	const writes = 150
	done := make(chan struct{})
	var readers sync.WaitGroup
	var seen [2][]uint64 // per kind of read, what each read saw, in order
	read := func(kind int, observe func() (map[string]int32, error)) {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				count, err := observe()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[kind] = append(seen[kind], state(count))
				mu.Unlock()
			}
		})
	}
	read(0, func() (map[string]int32, error) {
		nodes, err := s.ChartNodes(ctx, view, org.ChartQuery{RootID: roots[0].ID, Depth: -1}, 1<<20)
		if err != nil {
			return nil, err
		}
		count := map[string]int32{}
		below := map[string]int32{}
		for _, n := range nodes {
			if n.Kind.HoldsMembers() && n.Counts.DirectMembers() > 0 {
				count[n.ID] = n.Counts.DirectMembers()
			}
			below[n.ChartParentID] += n.Counts.Members()
		}
		for _, n := range nodes {
			if n.Counts.Members() != n.Counts.DirectMembers()+below[n.ID] {
				t.Errorf("%s counts %d members, its own and its children's %d", n.ID, n.Counts.Members(),
					n.Counts.DirectMembers()+below[n.ID])
			}
		}
		return count, nil
	})
	read(1, func() (map[string]int32, error) {
		count := map[string]int32{}
		return count, s.ScanMembers(ctx, view, cells, func(_ string, m *org.Member) error {
			count[m.CellID]++
			return nil
		})
	})

	rng := rand.New(rand.NewPCG(testseed.Seed(t, 17), 0))
	for i := 1; i <= writes; i++ {
		moved := map[string]string{}
		for range 1 + rng.IntN(20) {
			moved[members[rng.IntN(len(members))]] = cells[rng.IntN(len(cells))]
		}
		err := s.Update(ctx, func(tx org.Tx) error {
			for id, cell := range moved {
				r, err := tx.Member(ctx, id)
				if err != nil {
					return err
				}
				r.MoveFrom(d, cell)
				moved[id] = r.CellOn(d) // a temporary stint may keep them elsewhere
				if err := tx.PutMember(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		for id, cell := range moved {
			cellOf[id] = cell
		}
		h := committed()
		revision[h] = append(revision[h], i)
		mu.Unlock()
	}
	close(done)
	readers.Wait()
	for kind, states := range seen {
		if len(states) < 2 {
			t.Fatalf("read %d ran %d times beside %d writes: the test checks too little", kind, len(states), writes)
		}
		last := 0
		for i, h := range states {
			after, ok := revision[h]
			if !ok {
				t.Fatalf("read %d, %d of %d: a state no prefix of the writes left", kind, i+1, len(states))
			}
			j := slices.IndexFunc(after, func(r int) bool { return r >= last })
			if j < 0 {
				t.Fatalf("read %d, %d of %d: the state after write %d, seen after the one after write %d", kind, i+1,
					len(states), after[len(after)-1], last)
			}
			last = after[j]
		}
	}
}
