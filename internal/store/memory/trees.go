package memory

import (
	"context"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"dangbo/internal/org"
)

// dateCacheSize bounds how many dates keep a built value: today, plus the few
// past dates an analyst is comparing. A tree of the demo costs about 2 MB.
const dateCacheSize = 8

// dateCache keeps what readers derived for recently read dates: the structure
// on that date, the residence links. Each side of the store has its own.
// Values are built by readers (holding the side for reading) and refreshed or
// dropped by writers (holding it exclusively, while it is not the active
// side), so a value never changes while a reader holds it.
type dateCache[T any] struct {
	mu     sync.Mutex
	byDate map[org.Date]*cached[T]
	clock  atomic.Int64
	build  singleflight.Group
}

type cached[T any] struct {
	value T
	used  atomic.Int64
}

func newDateCache[T any]() *dateCache[T] { return &dateCache[T]{byDate: map[org.Date]*cached[T]{}} }

// cached returns the value of date d if one is built.
func (c *dateCache[T]) cached(d org.Date) (T, bool) {
	c.mu.Lock()
	ct := c.byDate[d]
	c.mu.Unlock()
	if ct == nil {
		var zero T
		return zero, false
	}
	ct.used.Store(c.clock.Add(1))
	return ct.value, true
}

// get returns the value of date d, building it once with build if needed,
// which the date budget of ctx pays for (org.SpendDate).
func (c *dateCache[T]) get(ctx context.Context, d org.Date, build func() (T, error)) (T, error) {
	if v, ok := c.cached(d); ok {
		return v, nil
	}
	if err := org.SpendDate(ctx, d); err != nil {
		var zero T
		return zero, err
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
		var zero T
		return zero, err
	}
	return v.(T), nil
}

func (c *dateCache[T]) put(d org.Date, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := &cached[T]{value: v}
	ct.used.Store(c.clock.Add(1))
	c.byDate[d] = ct
	if len(c.byDate) <= dateCacheSize {
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

// each calls fn on every cached value; the caller holds the side exclusively.
func (c *dateCache[T]) each(fn func(T) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ct := range c.byDate {
		if err := fn(ct.value); err != nil {
			return err
		}
	}
	return nil
}

// eachOn calls fn on every cached value with its date; the caller holds the
// side exclusively, so fn may change the value in place.
func (c *dateCache[T]) eachOn(fn func(org.Date, T)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for d, ct := range c.byDate {
		fn(d, ct.value)
	}
}

// reset forgets every value, after a change too large to refresh piecemeal.
func (c *dateCache[T]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byDate)
}
