package org

import (
	"context"
	"slices"
)

// SubtreeCounts are the counts of organisation id's subtree as the caller
// sees it on the view's date, or of everything they see when id is empty; ok
// is false for an id they may not see or that does not exist. It reads the
// counts the store keeps, a lookup whatever the subtree's size, so that what
// a read will walk is known before it runs. A scenario is not replayed for
// it: a read in a scenario walks about what the same read of the live
// structure does.
func (s *Service) SubtreeCounts(ctx context.Context, v View, id string) (c Counts, ok bool) {
	v.Scenario = ""
	if id != "" {
		o, err := s.Org(ctx, v, id)
		return o.Counts, err == nil
	}
	roots, err := s.Roots(ctx, v)
	for _, r := range roots {
		c.Official += r.Counts.Official
		c.Probationary += r.Counts.Probationary
		c.Children++
		c.ByKind[r.Kind]++
		for k, n := range r.Counts.ByKind {
			c.ByKind[k] += n
		}
	}
	return c, err == nil
}

// EstimateNodes bounds the number of nodes of q's chart from the counts of its
// root, without walking it: what drawing it will cost.
func (q ChartQuery) EstimateNodes(root Counts) int {
	if q.Depth == 0 {
		return 1
	}
	below := 0
	for k, n := range root.ByKind {
		if len(q.Kinds) == 0 || slices.Contains(q.Kinds, Kind(k)) {
			below += int(n)
		}
	}
	if q.Depth == 1 {
		below = min(below, int(root.Children))
	}
	return 1 + below
}
