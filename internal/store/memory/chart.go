package memory

import (
	"context"
	"slices"
	"strings"

	"dangbo/internal/org"
)

// ChartNodes walks at most a subtree, quickly; it does not start once the
// request's deadline has passed, when aliases of one query ask for many.
func (s *Store) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sd := s.read()
	defer sd.mu.RUnlock()
	return sd.chartNodes(ctx, v, q, limit)
}

// chartNodes is ChartNodes on this side; the caller holds it for reading.
func (sd *side) chartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	t, err := sd.tree(ctx, v.At)
	if err != nil {
		return nil, err
	}
	return t.ChartNodes(q, limit)
}

// linkIndex holds the residence links of one date: for each working cell,
// the cells its members live in, by id, with how many live in each.
type linkIndex map[string][]outLink

type outLink struct {
	to      string
	members int
}

// buildLinks counts the residence links of every member on date d.
func (g *graph) buildLinks(d org.Date) (linkIndex, error) {
	pairs := map[[2]string]int{}
	for _, m := range g.members {
		if from, to, ok := linkOn(&m.rec, d); ok {
			pairs[[2]string{from, to}]++
		}
	}
	idx := linkIndex{}
	for p, n := range pairs {
		idx[p[0]] = append(idx[p[0]], outLink{p[1], n})
	}
	for _, out := range idx {
		slices.SortFunc(out, func(a, b outLink) int { return strings.Compare(a.to, b.to) })
	}
	return idx, nil
}

// linkOn is the member's residence link on date d, from their cell to the
// cell they live in, if they have one.
func linkOn(r *org.MemberRecord, d org.Date) (from, to string, ok bool) {
	to = r.ResidenceOn(d)
	if to == "" {
		return "", "", false
	}
	from = r.CellOn(d)
	return from, to, from != "" && from != to
}

// count adds by to the link member r has on date d, as buildLinks counts it.
func (idx linkIndex) count(r *org.MemberRecord, d org.Date, by int) {
	from, to, ok := linkOn(r, d)
	if !ok {
		return
	}
	out := idx[from]
	i, found := slices.BinarySearchFunc(out, to, func(l outLink, to string) int { return strings.Compare(l.to, to) })
	switch {
	case !found && by < 0:
		return // never counted: nothing to take back
	case !found:
		idx[from] = slices.Insert(out, i, outLink{to, by})
	case out[i].members+by == 0:
		idx[from] = slices.Delete(out, i, i+1)
	default:
		out[i].members += by
	}
	if len(idx[from]) == 0 {
		delete(idx, from)
	}
}

// ResidenceLinks reads the links of the view's date, counted once per date
// and write: a province has tens of thousands of them.
func (s *Store) ResidenceLinks(ctx context.Context, v org.View, cells []string) ([]org.ResidenceLink, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	idx, err := sd.links.get(ctx, v.At, func() (linkIndex, error) { return sd.g.buildLinks(v.At) })
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(cells))
	for _, id := range cells {
		in[id] = true
	}
	var links []org.ResidenceLink
	for _, from := range slices.Compact(slices.Sorted(slices.Values(cells))) {
		for _, out := range idx[from] {
			if in[out.to] {
				links = append(links, org.ResidenceLink{From: from, To: out.to, Members: out.members})
			}
		}
	}
	return links, nil
}
