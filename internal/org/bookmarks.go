package org

import (
	"context"
	"slices"
	"sync"
)

// Bookmarks carry read-your-writes across the instances of the service: a
// request may bring the bookmarks of writes it must see (a client's earlier
// request, answered by another instance), and collects those of the writes it
// commits, for the client to bring next time. A store that replicates (Neo4j
// on a cluster) reads and adds them; one that does not has none. A bookmark
// is the store's opaque text.
type Bookmarks struct {
	mu    sync.Mutex
	after []string // what the request's transactions must see
	wrote []string // what its writes committed
}

type bookmarksKey struct{}

// WithBookmarks gives ctx the bookmarks of a request that must see the writes of after.
func WithBookmarks(ctx context.Context, after []string) (context.Context, *Bookmarks) {
	b := &Bookmarks{after: slices.Clone(after)}
	return context.WithValue(ctx, bookmarksKey{}, b), b
}

// BookmarksFrom is the request's bookmarks, or nil.
func BookmarksFrom(ctx context.Context) *Bookmarks {
	b, _ := ctx.Value(bookmarksKey{}).(*Bookmarks)
	return b
}

// After lists what a transaction of the request must see: what the request
// brought and what it wrote since.
func (b *Bookmarks) After() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Concat(b.after, b.wrote)
}

// Committed notes the bookmarks of a write the request committed.
func (b *Bookmarks) Committed(bookmarks []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wrote = append(b.wrote, bookmarks...)
}

// Wrote lists the bookmarks of the writes the request committed.
func (b *Bookmarks) Wrote() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.wrote)
}
