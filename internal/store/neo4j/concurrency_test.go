package neo4j

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// Writers lock the provinces above what they read (province_lock) and the
// Meta node from their first change (meta_lock); these tests check, on the
// fake's lock table, that writers of different provinces run together,
// writers of one province one at a time, and that changes still commit in
// the order of their numbers. They assert on the order of statements, never
// on time: a wait that does not end fails after hangGuard, as a hang would.

// hangGuard bounds a wait that, done right, ends as soon as another
// goroutine gets there.
const hangGuard = time.Minute

// twoProvinces is the sample dataset and a copy of it as a second province,
// every id prefixed with q.
func twoProvinces() []org.Record {
	q := func(id string) string {
		if id == "" {
			return ""
		}
		return "q" + id
	}
	var copies []org.Record
	for _, r := range sampleDataset() {
		switch {
		case r.Org != nil:
			o := r.Org.Clone()
			o.ID, o.Code = q(o.ID), q(o.Code)
			for i := range o.Versions {
				o.Versions[i].ParentID = q(o.Versions[i].ParentID)
				o.Versions[i].Name += " (Phú Thọ)"
			}
			copies = append(copies, org.Record{Org: &o})
		case r.Member != nil:
			m := r.Member.Clone()
			m.ID = q(m.ID)
			for i := range m.Stints {
				m.Stints[i].CellID = q(m.Stints[i].CellID)
			}
			for i := range m.Residences {
				m.Residences[i].CellID = q(m.Residences[i].CellID)
			}
			for i := range m.Roles {
				m.Roles[i].OrgID = q(m.Roles[i].OrgID)
			}
			copies = append(copies, org.Record{Member: &m})
		}
	}
	// Organisations first, as an import takes them.
	all := slices.Concat(sampleDataset(), copies)
	slices.SortStableFunc(all, func(a, b org.Record) int {
		return cmp.Compare(boolInt(a.Org == nil), boolInt(b.Org == nil))
	})
	return all
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func loadedTwo(t *testing.T) (*Store, *fakeDB) {
	t.Helper()
	s, f := newFake(t)
	if _, err := s.Import(ctx, &recordList{twoProvinces()}); err != nil {
		t.Fatal(err)
	}
	f.reset()
	return s, f
}

// await waits for ch, failing the test after hangGuard.
func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangGuard):
		t.Fatalf("waited %v for %s", hangGuard, what)
	}
}

// callIndex is the position of the first call of name in transaction tx.
func (f *fakeDB) callIndex(name string, tx int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.IndexFunc(f.calls, func(c call) bool { return c.name == name && c.tx == tx })
}

// holdAtWorkingSet makes the first write transaction that reads a working set wait
// there, its province locks held, until release is closed; held is closed
// when it does. It returns that transaction's number, once held is closed.
func holdAtWorkingSet(f *fakeDB) (held, release chan struct{}, first func() int) {
	held, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	var holder int
	f.before = func(name string, tx int) {
		f.mu.Lock()
		write := f.modes[tx-1] == n4j.AccessModeWrite
		f.mu.Unlock()
		if name != "working_set" || !write {
			return
		}
		mine := false
		once.Do(func() { holder, mine = tx, true })
		if mine {
			close(held)
			<-release
		}
	}
	return held, release, func() int { return holder }
}

func TestWritersOfTwoProvincesInterleave(t *testing.T) {
	s, f := loadedTwo(t)
	svc := service(s)
	held, release, first := holdAtWorkingSet(f)
	errs := make(chan error, 2)
	go func() {
		_, err := svc.RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "gc"))
		errs <- err
	}()
	await(t, held, "the first writer to hold its province")
	// The second writer, of the other province, runs to its commit while
	// the first holds its lock.
	second := make(chan error, 1)
	go func() {
		_, err := svc.RenameOrg(ctx, "qc1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "qgc"))
		second <- err
	}()
	var err error
	select {
	case err = <-second:
	case <-time.After(hangGuard):
		close(release)
		t.Fatalf("the second province's writer waited %v for the first", hangGuard)
	}
	close(release)
	if err != nil || <-errs != nil {
		t.Fatalf("renames: %v", err)
	}
	a, b := first(), 0
	for _, c := range f.calls {
		if c.name == "commit" && c.tx != a {
			b = c.tx
		}
	}
	// The first's working_set is recorded as it runs, after the hold.
	if b == 0 || !(f.callIndex("province_lock", a) < f.callIndex("province_lock", b) &&
		f.callIndex("commit", b) < f.callIndex("working_set", a)) {
		t.Fatalf("statements %v: want the second province's writer to read and commit while the first held its lock", f.names())
	}
	for _, id := range []string{"c1", "qc1"} {
		if o, err := s.Org(ctx, now(), id); err != nil || o.Name != "Chi bộ thôn Đông Mới" {
			t.Fatalf("%s: %+v, %v", id, o, err)
		}
	}
}

// waitingFor reports whether a transaction waits for the lock of node key.
func (f *fakeDB) waitingFor(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(slices.Collect(mapValues(f.waiting)), key)
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// awaitWaiting waits until a transaction waits for the lock of node key.
func awaitWaiting(t *testing.T, f *fakeDB, key string) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); !f.waitingFor(key); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no transaction waited for %s within %v", key, hangGuard)
		}
	}
}

func TestWritersOfOneProvinceSerialise(t *testing.T) {
	s, f := loadedTwo(t)
	svc := service(s)
	held, release, first := holdAtWorkingSet(f)
	errs := make(chan error, 2)
	go func() {
		_, err := svc.RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "gc"))
		errs <- err
	}()
	await(t, held, "the first writer to hold its province")
	go func() {
		// The other cell of the same province: nothing in common but the province.
		_, err := svc.RenameOrg(ctx, "c2", "Chi bộ Trường Tiểu học Tam Hồng", decision("2-QĐ/ĐU", "gc"))
		errs <- err
	}()
	awaitWaiting(t, f, "org:p")
	close(release)
	if err1, err2 := <-errs, <-errs; err1 != nil || err2 != nil {
		t.Fatalf("renames: %v, %v", err1, err2)
	}
	a, b := first(), 0
	for _, c := range f.calls {
		if c.name == "working_set" && c.tx != a {
			b = c.tx
		}
	}
	if b == 0 || f.callIndex("working_set", b) < f.callIndex("commit", a) {
		t.Fatalf("statements %v: want the second writer of the province to read after the first committed", f.names())
	}
}

func TestAWriteSpanningTwoProvincesHoldsBoth(t *testing.T) {
	s, f := loadedTwo(t)
	var held []string
	f.before = func(name string, tx int) {
		if name == "commit" {
			f.mu.Lock()
			for key, holder := range f.locks {
				if holder.n == tx {
					held = append(held, key)
				}
			}
			f.mu.Unlock()
		}
	}
	// No committee is above two provinces (R9), so the domain never moves a
	// member across; a store's write may, and takes both provinces' locks.
	err := s.Update(ctx, func(tx org.Tx) error {
		if err := tx.Load(ctx, org.WorkingSet{At: today, Near: []string{"m1", "qc2"}}); err != nil {
			return err
		}
		m, err := tx.Member(ctx, "m1")
		if err != nil {
			return err
		}
		m.Stints[len(m.Stints)-1].Until = today
		m.Stints = append(m.Stints, org.Stint{Span: org.Span{Since: today, Until: org.Forever}, CellID: "qc2"})
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		return tx.RecordChange(ctx, &org.Change{Type: org.ChangeMemberTransferred, EffectiveOn: today, Subjects: []string{"m1"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(held)
	if !slices.Equal(held, []string{"meta", "org:p", "org:qp"}) {
		t.Fatalf("locks held at commit %v, want both provinces and the Meta node", held)
	}
	if qc2, err := s.Org(ctx, now(), "qc2"); err != nil || qc2.Counts.Official != 3 {
		t.Fatalf("qc2 %+v, %v: want m1 counted with the two there", qc2.Counts, err)
	}
}

// Two writers that read two provinces in opposite orders deadlock on the
// fake as on Neo4j: one fails with DeadlockDetected, the driver runs its
// work again, and both commit.
func TestDeadlockedWritersAreRetried(t *testing.T) {
	s, f := loadedTwo(t)
	var aFirst, bFirst sync.Once
	aHolds, bHolds := make(chan struct{}), make(chan struct{})
	runs := make(chan string, 8)
	write := func(first, second string, mine, other chan struct{}, once *sync.Once) error {
		return s.Update(ctx, func(tx org.Tx) error {
			runs <- first
			if _, err := tx.Org(ctx, first); err != nil {
				return err
			}
			once.Do(func() { close(mine); <-other })
			r, err := tx.Org(ctx, second)
			if err != nil {
				return err
			}
			r.Code += "-" + first
			return tx.PutOrg(ctx, r)
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- write("c1", "qc1", aHolds, bHolds, &aFirst) }()
	go func() { errs <- write("qc1", "c1", bHolds, aHolds, &bFirst) }()
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
		case <-time.After(hangGuard):
			f.mu.Lock()
			t.Logf("locks %v waiting %v calls %v", f.locks, f.waiting, f.names())
			f.mu.Unlock()
			t.Fatal("the deadlock was not detected")
		}
	}
	if f.deadlocks != 1 || len(runs) != 3 {
		t.Fatalf("%d deadlocks, %d runs: want one, and the victim run again", f.deadlocks, len(runs))
	}
}

// A poller of the history (ChangesAfter, as the live feed) never sees a
// number before a lower one, whatever writers of either province and across
// both do at once: the numbers are gapless and commit in their order.
func TestChangeNumbersCommitInOrderUnderConcurrentWriters(t *testing.T) {
	s, f := loadedTwo(t)
	svc := service(s)
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 16), 2))
	cells := []string{"c1", "c2", "qc1", "qc2"}
	members := []string{"m1", "m2", "m3", "m4", "qm1", "qm2", "qm3", "qm4"}
	type op struct {
		rename       bool
		id, where, n string
	}
	var ops [][]op // by writer
	for w := range 6 {
		var list []op
		for i := range 5 {
			list = append(list, op{rename: rng.IntN(2) == 0, id: cells[rng.IntN(len(cells))],
				where: members[rng.IntN(len(members))], n: fmt.Sprintf("%d%d", w, i)})
		}
		ops = append(ops, list)
	}
	done := make(chan struct{})
	var seen []int64
	var pollErr error
	go func() { // the poller
		defer close(done)
		for last := int64(0); ; {
			changes, err := s.ChangesAfter(ctx, last, 100)
			if err != nil {
				pollErr = err
				return
			}
			for _, c := range changes {
				seen = append(seen, c.Seq)
				last = c.Seq
			}
			if len(changes) == 0 && f.stopped() {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, list := range ops {
		wg.Go(func() {
			for _, o := range list {
				issuer := "gc"
				if strings.HasPrefix(o.id, "q") {
					issuer = "qgc"
				}
				var err error
				if o.rename {
					_, err = svc.RenameOrg(ctx, o.id, "Chi bộ số "+o.n, decision(o.n+"-QĐ/ĐU", issuer))
				} else {
					_, err = svc.TransferMember(ctx, o.where, o.id, 0, org.Meta{Decision: org.Decision{Number: o.n + "-QĐ/TW", Date: today}})
				}
				if code := org.ErrorCode(err); err != nil && code != org.ERule && code != org.EInvalid && code != org.EForbidden {
					t.Errorf("%+v: %v", o, err)
				}
			}
		})
	}
	wg.Wait()
	f.stop()
	<-done
	if pollErr != nil {
		t.Fatal(pollErr)
	}
	want := make([]int64, len(f.committed))
	for i := range want {
		want[i] = int64(i + 1)
	}
	if len(want) < 10 || !slices.Equal(f.committed, want) || !slices.Equal(seen, want) {
		t.Fatalf("committed %v, polled %v: want 1…n in order, n ≥ 10", f.committed, seen)
	}
}

// stop tells a poller that no writer is left: once it reads nothing new, it has read all.
func (f *fakeDB) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopping = true
}

func (f *fakeDB) stopped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopping
}

// A scenario applied over one province holds that province and the
// scenario, and a writer of the other province runs to its commit while it
// does: the Meta node's lock comes with the apply's changes, at its end.
func TestApplyingAScenarioLocksItsProvinceOnly(t *testing.T) {
	s, f := loadedTwo(t)
	svc, scn := services(s)
	sc, err := scn.Create(ctx, "Sáp nhập chi bộ", "gc", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scn.AddOperations(ctx, sc.ID, []org.Operation{{Type: org.OpMergeOrgs, Sources: []string{"c2"}, TargetID: "c1"}}); err != nil {
		t.Fatal(err)
	}
	held, release, _ := holdAtWorkingSet(f)
	errs := make(chan error, 1)
	go func() {
		_, _, err := scn.Apply(ctx, sc.ID, org.Decision{Number: "9-QĐ/ĐU", Date: today, IssuerID: "gc"}, 0)
		errs <- err
	}()
	await(t, held, "the scenario's apply to hold its province")
	f.mu.Lock()
	var locks []string
	for key := range f.locks {
		locks = append(locks, key)
	}
	f.mu.Unlock()
	if _, err := svc.RenameOrg(ctx, "qc1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "qgc")); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-errs; err != nil {
		t.Fatalf("Apply: %v", err)
	}
	slices.Sort(locks)
	if !slices.Equal(locks, []string{"org:p", "scenario:" + sc.ID}) {
		t.Fatalf("locks while applying %v, want its province and the scenario", locks)
	}
	if c2, err := s.Org(ctx, now(), "c2"); err == nil {
		t.Fatalf("c2 still open after the merge: %+v", c2)
	}
}
