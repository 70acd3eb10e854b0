package neo4j

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// holdingStore is a Store whose first write waits, once it has loaded its
// working set (its provinces locked), until release is closed; held is
// closed when it does.
type holdingStore struct {
	*Store
	once          sync.Once
	held, release chan struct{}
}

func (h *holdingStore) Update(ctx context.Context, fn func(org.Tx) error) error {
	return h.Store.Update(ctx, func(tx org.Tx) error { return fn(holdingTx{tx, h}) })
}

type holdingTx struct {
	org.Tx
	h *holdingStore
}

func (t holdingTx) Load(ctx context.Context, ws org.WorkingSet) error {
	err := t.Tx.Load(ctx, ws)
	t.h.once.Do(func() { close(t.h.held); <-t.h.release })
	return err
}

// blockedQuery counts the server's transactions waiting for a lock. Test
// code only: the adapter never asks.
const blockedQuery = "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS blocked"

// awaitBlocked waits until the server shows a transaction waiting for a lock.
func awaitBlocked(t *testing.T, s *Store) {
	t.Helper()
	d := s.db.(*driverTransactor)
	for deadline := time.Now().Add(hangGuard); ; time.Sleep(10 * time.Millisecond) {
		result, err := n4j.ExecuteQuery(ctx, d.driver, blockedQuery, nil, n4j.EagerResultTransformer,
			n4j.ExecuteQueryWithDatabase(d.database))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := result.Records[0].Get("blocked"); n.(int64) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no transaction waited for a lock within %v", hangGuard)
		}
	}
}

// TestProvinceLocksOnAServer runs provinceLocksOfTwoInstances against the
// server NEO4J_URI names (it wipes the database), through two drivers.
func TestProvinceLocksOnAServer(t *testing.T) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		t.Skip("NEO4J_URI not set: Neo4j integration tests skipped")
	}
	cfg := Config{URI: uri, User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
	open := func() *Store {
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatalf("Open(%s): %v", uri, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if err := a.wipe(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, &recordList{twoProvinces()}); err != nil {
		t.Fatal(err)
	}
	provinceLocksOfTwoInstances(t, a, b, func() { awaitBlocked(t, b) })
}

// TestProvinceLocksOfTwoInstances runs the same on the fake: two adapters
// over one fake database.
func TestProvinceLocksOfTwoInstances(t *testing.T) {
	a, f := loadedTwo(t)
	provinceLocksOfTwoInstances(t, a, newStore(f), func() { awaitWaiting(t, f, "org:p") })
}

// provinceLocksOfTwoInstances: while instance A's writer holds province p,
// B's writer of province qp runs to its commit, and B's writer of p waits
// for A's commit (blocked returns once it waits for a lock) and reads what A
// wrote: its change is numbered after A's.
func provinceLocksOfTwoInstances(t *testing.T, a, b *Store, blocked func()) {
	holding := &holdingStore{Store: a, held: make(chan struct{}), release: make(chan struct{})}
	svcA := org.NewService(holding, func() org.Date { return today })
	svcB := service(b)
	first := make(chan error, 1)
	go func() {
		_, err := svcA.RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "gc"))
		first <- err
	}()
	await(t, holding.held, "A's writer to hold province p")
	other := make(chan error, 1)
	go func() {
		_, err := svcB.RenameOrg(ctx, "qc1", "Chi bộ thôn Đông Mới", decision("1-QĐ/ĐU", "qgc"))
		other <- err
	}()
	select {
	case err := <-other:
		if err != nil {
			close(holding.release)
			t.Fatalf("B's writer of province qp: %v", err)
		}
	case <-time.After(hangGuard):
		close(holding.release)
		t.Fatalf("B's writer of province qp waited %v for A's of p", hangGuard)
	}
	same := make(chan error, 1)
	go func() {
		_, err := svcB.RenameOrg(ctx, "c2", "Chi bộ Trường Tiểu học Tam Hồng", decision("2-QĐ/ĐU", "gc"))
		same <- err
	}()
	blocked()
	select {
	case err := <-same:
		close(holding.release)
		t.Fatalf("B's writer of province p ran while A's held it: %v", err)
	default:
	}
	close(holding.release)
	if err1, err2 := <-first, <-same; err1 != nil || err2 != nil {
		t.Fatalf("renames: %v, %v", err1, err2)
	}
	changes, err := b.ChangesAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[string]int64{}
	for _, c := range changes {
		for _, id := range c.Subjects {
			seqs[id] = c.Seq
		}
	}
	if !(seqs["c1"] != 0 && seqs["c1"] < seqs["c2"]) {
		t.Fatalf("changes %v: want A's rename of c1 numbered before B's of c2", seqs)
	}
}
