package memory

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"dangbo/internal/org"
)

// treeCacheSize bounds how many dates keep a built tree: today, plus the few
// past dates an analyst is comparing. A tree of the demo costs about 2 MB.
const treeCacheSize = 8

// treeCache keeps the structure on recently read dates. Trees are built by
// readers (under the store's shared lock) and refreshed by writers (under its
// exclusive lock), so a tree never changes while a reader holds it.
type treeCache struct {
	mu     sync.Mutex
	byDate map[org.Date]*cachedTree
	clock  atomic.Int64
	build  singleflight.Group
}

type cachedTree struct {
	tree *org.Tree
	used atomic.Int64
}

func newTreeCache() *treeCache { return &treeCache{byDate: map[org.Date]*cachedTree{}} }

// get returns the tree of date d, building it once with build if needed.
func (c *treeCache) get(d org.Date, build func() (*org.Tree, error)) (*org.Tree, error) {
	c.mu.Lock()
	ct := c.byDate[d]
	c.mu.Unlock()
	if ct != nil {
		ct.used.Store(c.clock.Add(1))
		return ct.tree, nil
	}
	v, err, _ := c.build.Do(d.String(), func() (any, error) {
		t, err := build()
		if err != nil {
			return nil, err
		}
		c.put(d, t)
		return t, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*org.Tree), nil
}

func (c *treeCache) put(d org.Date, t *org.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := &cachedTree{tree: t}
	ct.used.Store(c.clock.Add(1))
	c.byDate[d] = ct
	if len(c.byDate) <= treeCacheSize {
		return
	}
	var oldest org.Date
	least := int64(-1)
	for date, ct := range c.byDate {
		if u := ct.used.Load(); least < 0 || u < least {
			oldest, least = date, u
		}
	}
	delete(c.byDate, oldest)
}

// each calls fn on every cached tree; the caller holds the store's exclusive lock.
func (c *treeCache) each(fn func(*org.Tree) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ct := range c.byDate {
		if err := fn(ct.tree); err != nil {
			return err
		}
	}
	return nil
}

// reset forgets every tree, after a change too large to refresh piecemeal.
func (c *treeCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byDate)
}
