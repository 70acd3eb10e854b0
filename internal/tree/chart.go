package tree

import (
	"slices"

	"dangbo/internal/org"
)

// ChartNodes lists the nodes of the chart q asks for. It fails with
// BAD_USER_INPUT, before collecting them all, when there are more than limit.
func (t *Tree) ChartNodes(q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	var nodes []org.ChartNode
	if root, ok := t.Get(q.RootID); ok && q.Depth < 0 && len(q.Kinds) == 0 {
		// The whole subtree, counted: one allocation instead of a doubling
		// slice's copies, which a whole province's chart spent most of its
		// time and garbage on.
		nodes = make([]org.ChartNode, 0, max(0, min(int(root.Counts.Orgs())+1, limit)))
	}
	// shownAbove[d] is the nearest node shown at depth d or above on the
	// path being walked: the chart parent of a node one level deeper.
	var shownAbove []string
	tooMany := false
	err := t.Walk(q.RootID, q.Depth, func(o *org.Org, depth int) bool {
		parent := ""
		if depth > 0 {
			parent = shownAbove[depth-1]
		}
		shownAbove = append(shownAbove[:depth], parent)
		if depth > 0 && len(q.Kinds) > 0 && !slices.Contains(q.Kinds, o.Kind) {
			return true
		}
		if len(nodes) == limit {
			tooMany = true
			return false
		}
		shownAbove[depth] = o.ID
		nodes = append(nodes, org.ChartNode{Org: *o, ChartParentID: parent, Depth: depth})
		return true
	})
	if err != nil {
		return nil, err
	}
	if tooMany {
		return nil, org.ErrChartTooLarge(limit)
	}
	return nodes, nil
}
