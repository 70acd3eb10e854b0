package memory

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// TestConcurrentWritersShareCommits: writers at once, whose writes queue
// while others are written (group commit), each read what the writers before
// them wrote, published or still queued: every write of a record built on
// the last (a scenario rewritten by all, members moved at random) succeeds,
// change numbers follow the writers' order without a gap, readers see only
// states that a prefix of the writes in that order left, never an older one
// after a newer, and the file holds every write when the store is reopened.
func TestConcurrentWritersShareCommits(t *testing.T) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if _, err := s.Import(ctx, demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Vĩnh Phúc").Reader()); err != nil {
		t.Fatal(err)
	}
	d := org.DateFrom(2021, 1, 1)
	view := org.View{At: d}
	g := s.active.Load().g
	var cells, members []string
	for id, e := range g.orgs {
		if v, ok := e.rec.At(d); ok && v.Kind.HoldsMembers() {
			cells = append(cells, id)
		}
	}
	start := map[string]string{} // each member's cell before the writes
	revs := map[string]int64{}   // each member's revision, counting the writes
	for id, e := range g.members {
		revs[id] = e.rec.Rev
		if c := e.rec.CellOn(d); c != "" {
			start[id] = c
			members = append(members, id)
		}
	}
	slices.Sort(cells)
	slices.Sort(members)
	base := g.history.last
	onDate := org.ChangeQuery{Since: d, Until: d + 1}
	before := len(allChanges(t, s, onDate, org.MaxPageSize))

	const writers, each = 8, 15
	// What each write did, by the order its writer ran in (under writeMu).
	type write struct {
		moved map[string]string
		seq   int64
	}
	var order []*write
	done := make(chan struct{})
	var readers sync.WaitGroup
	var seen [][]string // the cell of every member, per read, in order
	at := map[string]int{}
	for i, m := range members {
		at[m] = i
	}
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			state := make([]string, len(members))
			if err := s.ScanMembers(ctx, view, cells, func(_ string, m *org.Member) error {
				state[at[m.ID]] = m.CellID
				return nil
			}); err != nil {
				t.Error(err)
				return
			}
			seen = append(seen, state)
		}
	})
	// The first writes wait in the queue, so that the writers after them
	// read them there.
	s.persistMu.Lock()
	held := true
	var wg sync.WaitGroup
	seed := testseed.Seed(t, 23)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := range each {
				moved := map[string]string{}
				for range 1 + rng.IntN(5) {
					moved[members[rng.IntN(len(members))]] = cells[rng.IntN(len(cells))]
				}
				wr := &write{moved: moved}
				c := &org.Change{Type: org.ChangeTransferred, EffectiveOn: d, Subjects: slices.Sorted(maps.Keys(moved)),
					Decision: org.Decision{Number: fmt.Sprintf("%d-%d", w, i), Date: d}}
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
					sc, err := tx.Scenario(ctx, crashScenario)
					if org.ErrorCode(err) == org.ENotFound {
						sc, err = org.Scenario{ID: crashScenario, Name: "Phương án", Within: cells[0], BaseAsOf: d}, nil
					}
					if err != nil {
						return err
					}
					sc.NextKey++
					if err := tx.PutScenario(ctx, sc); err != nil {
						return err
					}
					if err := tx.RecordChange(ctx, c); err != nil {
						return err
					}
					order = append(order, wr)
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				wr.seq = c.Seq
			}
		})
	}
	for deadline := time.Now().Add(time.Minute); held; {
		s.qMu.Lock()
		queued := len(s.queue)
		s.qMu.Unlock()
		if queued >= writers || time.Now().After(deadline) {
			if queued < 2 {
				t.Errorf("%d writes queued", queued)
			}
			s.persistMu.Unlock()
			held = false
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	close(done)
	readers.Wait()
	if t.Failed() {
		return
	}
	if len(order) != writers*each {
		t.Fatalf("%d writes ran, want %d", len(order), writers*each)
	}
	// The states each prefix of the writes left, in their order.
	cellOf := maps.Clone(start)
	key := func() string {
		state := make([]string, len(members))
		for i, m := range members {
			state[i] = cellOf[m]
		}
		return strings.Join(state, " ")
	}
	after := map[string][]int{key(): {0}}
	for i, w := range order {
		if w.seq != base+int64(i+1) {
			t.Fatalf("write %d in the writers' order got change %d after %d", i+1, w.seq, base)
		}
		maps.Copy(cellOf, w.moved)
		for id := range w.moved {
			revs[id]++
		}
		k := key()
		after[k] = append(after[k], i+1)
	}
	if len(seen) < 2 {
		t.Fatalf("%d reads beside %d writes: the test checks too little", len(seen), len(order))
	}
	last := 0
	for i, state := range seen {
		writes, ok := after[strings.Join(state, " ")]
		if !ok {
			t.Fatalf("read %d of %d: a state no prefix of the writes left", i+1, len(seen))
		}
		j := slices.IndexFunc(writes, func(w int) bool { return w >= last })
		if j < 0 {
			t.Fatalf("read %d of %d: the state after write %d, seen after the one after write %d", i+1, len(seen), writes[len(writes)-1], last)
		}
		last = writes[j]
	}
	final := key()

	// Reopened, the file holds every write.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	sc, err := s.Scenario(ctx, crashScenario)
	if err != nil || sc.NextKey != writers*each || sc.Rev != writers*each {
		t.Fatalf("scenario reopened: next key %d, rev %d, %v; want %d writes", sc.NextKey, sc.Rev, err, writers*each)
	}
	if n := len(allChanges(t, s, onDate, org.MaxPageSize)); n != before+writers*each {
		t.Fatalf("%d changes reopened, want %d", n, before+writers*each)
	}
	clear(cellOf)
	if err := s.ScanMembers(ctx, view, cells, func(_ string, m *org.Member) error {
		cellOf[m.ID] = m.CellID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if key() != final {
		t.Fatal("members reopened are not where the writes left them")
	}
	for id, e := range s.active.Load().g.members {
		if e.rec.Rev != revs[id] {
			t.Fatalf("member %s reopened at revision %d, want %d: a write was built on an older one", id, e.rec.Rev, revs[id])
		}
	}
}

// TestFailedWriteFailsTheWritesQueuedBehindIt: when a group cannot be written
// (here a key bbolt refuses), its writes fail, and so do those queued behind
// them, which may have read them; none is published, and the store goes on
// taking writes.
func TestFailedWriteFailsTheWritesQueuedBehindIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	put := func(id string) chan error {
		errc := make(chan error, 1)
		go func() {
			errc <- s.Update(ctx, func(tx org.Tx) error {
				return tx.PutOrg(ctx, org.OrgRecord{ID: id, Versions: []org.Version{
					{Span: org.Span{Since: org.DateFrom(2020, 1, 1), Until: org.Forever}, Name: "Đảng bộ " + id[:1], Kind: org.Province}}})
			})
		}()
		return errc
	}
	queued := func(n int) {
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
			s.qMu.Lock()
			q := len(s.queue)
			s.qMu.Unlock()
			if q >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d writes queued, want %d", q, n)
			}
		}
	}
	s.persistMu.Lock()
	tooLong := put(strings.Repeat("a", 40_000)) // over bbolt's largest key
	queued(1)
	behind := put("b")
	queued(2)
	s.persistMu.Unlock()
	for _, errc := range []chan error{tooLong, behind} {
		if err := <-errc; err == nil {
			t.Fatal("a write queued with one that failed succeeded")
		}
	}
	if err := <-put("c"); err != nil {
		t.Fatalf("a write after the failure: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, nil)
	g := s.active.Load().g
	if len(g.orgs) != 1 || g.orgs["c"] == nil {
		t.Fatalf("reopened, the store holds %d organisations; want only the write after the failure", len(g.orgs))
	}
}
