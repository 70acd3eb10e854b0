package observed_test

import (
	"context"
	"sync"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/memory"
	"dangbo/internal/store/observed"
	"dangbo/internal/store/storetest"
)

// calls counts the calls it observes by method, and those that failed.
type calls struct {
	mu     sync.Mutex
	n, bad map[string]int
}

func (c *calls) Observe(ctx context.Context, method string) (context.Context, func(error)) {
	return ctx, func(err error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n[method]++
		if err != nil {
			c.bad[method]++
		}
	}
}

// TestWrappedStorePassesTheSuite: the observed embedded store behaves as the
// store it wraps (its fast paths included), and every call is observed.
func TestWrappedStorePassesTheSuite(t *testing.T) {
	c := &calls{n: map[string]int{}, bad: map[string]int{}}
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, err := memory.Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		w := observed.Wrap(s, c)
		if _, ok := w.(org.MemberTallier); !ok {
			t.Fatal("the wrapped store lost its member tallies")
		}
		if _, ok := w.(org.Feed); !ok {
			t.Fatal("the wrapped store lost its feed of changes")
		}
		if _, ok := w.(org.MemberScanner); !ok {
			t.Fatal("the wrapped store lost its member scans")
		}
		return w
	}, "Hierarchy", "Search", "Chart", "OrgOperations", "MemberAnalysis", "SameErrors")
	for _, m := range []string{"Roots", "Org", "Children", "Search", "ChartNodes", "Update", "CellTallies", "ScanMembers"} {
		if c.n[m] == 0 {
			t.Errorf("no %s call observed: %v", m, c.n)
		}
	}
	if c.bad["Org"] == 0 {
		t.Errorf("no failed Org call observed: %v", c.bad)
	}
}
