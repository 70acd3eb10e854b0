package neo4j

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// countsFields lists the fields of c in the order of the counts property:
// Children, DirectOfficial, DirectProbationary, Official, Probationary, then
// ByKind by kind and CellsBySector by sector.
func countsFields(c *org.Counts) []*int32 {
	fields := []*int32{&c.Children, &c.DirectOfficial, &c.DirectProbationary, &c.Official, &c.Probationary}
	for i := range c.ByKind {
		fields = append(fields, &c.ByKind[i])
	}
	for i := range c.CellsBySector {
		fields = append(fields, &c.CellsBySector[i])
	}
	return fields
}

// encodeCounts is the counts property of c.
func encodeCounts(c org.Counts) []int64 {
	fields := countsFields(&c)
	out := make([]int64, len(fields))
	for i, f := range fields {
		out[i] = int64(*f)
	}
	return out
}

// decodeCounts reads a counts property; one never written reads as zero counts.
func decodeCounts(v []any) (org.Counts, error) {
	var c org.Counts
	if v == nil {
		return c, nil
	}
	fields := countsFields(&c)
	if len(v) != len(fields) {
		return c, fmt.Errorf("neo4j: counts has %d values, want %d", len(v), len(fields))
	}
	for i, x := range v {
		n, ok := x.(int64)
		if !ok {
			return c, fmt.Errorf("neo4j: counts[%d] is %T, want an integer", i, x)
		}
		*fields[i] = int32(n)
	}
	return c, nil
}

// recount brings the maintained counts of the open-ended trees that hold
// orgIDs up to date: it loads every organisation of those trees with its
// stored counts, takes fresh direct member counts for cellIDs, lets tree.Tree
// do the arithmetic and writes back the counts that changed. Loading whole
// trees rather than only the changed chains costs one row per organisation of
// the province, but needs nothing of org.Counts beyond what tree.Tree offers.
func (s *Store) recount(ctx context.Context, q querier, orgIDs, cellIDs []string) error {
	if len(orgIDs) == 0 {
		return nil
	}
	var d decoder
	direct := map[string][2]int32{}
	if len(cellIDs) > 0 {
		recs, err := run(ctx, q, "direct_counts", map[string]any{"ids": cellIDs})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			r := rec.AsMap()
			direct[d.str(r, "id")] = [2]int32{int32(d.integer(r, "official")), int32(d.integer(r, "probationary"))}
		}
	}
	recs, err := run(ctx, q, "open_tree", map[string]any{"ids": orgIDs})
	if err != nil {
		return err
	}
	t := tree.New(openEnd)
	stored := make(map[string]org.Counts, len(recs))
	for _, rec := range recs {
		r := rec.AsMap()
		o := treeOrg(&d, r)
		c, err := decodeCounts(d.list(r, "counts"))
		if err != nil {
			return err
		}
		t.Set(o)
		stored[o.ID] = c
	}
	if d.err != nil {
		return d.err
	}
	for id, c := range stored {
		counted := [2]int32{c.DirectOfficial, c.DirectProbationary}
		if fresh, ok := direct[id]; ok {
			counted = fresh
		}
		t.SetDirect(id, counted[0], counted[1])
	}
	if err := t.Recount(); err != nil {
		return err
	}
	var rows []any
	for _, id := range slices.Sorted(maps.Keys(stored)) {
		if o, _ := t.Get(id); o.Counts != stored[id] {
			rows = append(rows, map[string]any{"id": id, "counts": encodeCounts(o.Counts)})
		}
	}
	return inBatches(rows, s.batchSize, func(b []any) error {
		_, err := run(ctx, q, "counts_set", map[string]any{"rows": b})
		return err
	})
}

// treeOrg reads the id, parent, kind and sector of a row of tree_at.cypher or
// open_tree.cypher: what tree.Tree needs to count.
func treeOrg(d *decoder, r row) org.Org {
	o := org.Org{ID: d.str(r, "id"), ParentID: d.str(r, "parentId")}
	d.enum(r, "kind", &o.Kind)
	d.enum(r, "sector", &o.Sector)
	return o
}

// treeAt counts the subtrees of ids on date at from scratch: for a date before
// the horizon, where the maintained counts do not hold.
func treeAt(ctx context.Context, q querier, at org.Date, ids []string) (*tree.Tree, error) {
	recs, err := run(ctx, q, "tree_at", map[string]any{"ids": ids, "at": dateParam(at)})
	if err != nil {
		return nil, err
	}
	var d decoder
	t := tree.New(at)
	for _, rec := range recs {
		r := rec.AsMap()
		o := treeOrg(&d, r)
		t.Set(o)
		t.SetDirect(o.ID, int32(d.integer(r, "official")), int32(d.integer(r, "probationary")))
	}
	if d.err != nil {
		return nil, d.err
	}
	return t, t.Recount()
}
