// Package tree is the read model the stores share: the structure on one
// date, each organisation linked to its children in order and counted with
// its subtree, so that reading it is a lookup. The embedded store keeps one
// per date it serves, the Neo4j adapter builds one for a subtree it reads
// whole, and a scenario replays its operations over one.
package tree

import (
	"cmp"
	"slices"

	"dangbo/internal/org"
)

// Tree holds the organisations in force on one date, each with its children in
// order and the counts of its subtree, so that reading the structure is a
// lookup. Set, Remove and SetDirect record changes; Recount then relinks what
// moved and recounts only the affected ancestor chains, so a full build and a
// one-member change go through the same code. A Tree is not safe for
// concurrent use while it changes.
type Tree struct {
	at      org.Date
	nodes   map[string]*node
	roots   []*node
	pending []*node            // nodes to (re)link under their parent
	dirty   map[*node]struct{} // nodes whose counts, or whose parent's counts, changed
}

type node struct {
	org      org.Org // Counts maintained by the tree
	key      string
	parent   *node
	children []*node
	linked   bool
}

// New returns an empty tree of the structure on date at.
func New(at org.Date) *Tree {
	return &Tree{at: at, nodes: map[string]*node{}, dirty: map[*node]struct{}{}}
}

// At is the date the tree describes.
func (t *Tree) At() org.Date { return t.at }

// Len is the number of organisations in the tree.
func (t *Tree) Len() int { return len(t.nodes) }

// Set places o in the tree or updates it; o.Counts is ignored. The change shows
// after Recount.
func (t *Tree) Set(o org.Org) { t.SetKeyed(o, org.Fold(o.Name)) }

// SetKeyed is Set for a caller that has key, Fold(o.Name), at hand.
func (t *Tree) SetKeyed(o org.Org, key string) {
	n := t.nodes[o.ID]
	if n == nil {
		n = &node{}
		t.nodes[o.ID] = n
	} else if n.org.ParentID != o.ParentID || n.org.Kind != o.Kind || n.org.Name != o.Name {
		t.unlink(n)
	}
	counts := n.org.Counts
	n.org = o
	n.org.Counts = counts
	n.key = key
	if !n.linked {
		t.pending = append(t.pending, n)
	}
	t.dirty[n] = struct{}{}
}

// Remove takes organisation id out of the tree. Its children, if any remain,
// become roots until they are set under another parent.
func (t *Tree) Remove(id string) {
	n := t.nodes[id]
	if n == nil {
		return
	}
	t.unlink(n)
	delete(t.dirty, n)
	for _, c := range n.children {
		c.parent, c.linked = nil, false
		t.pending = append(t.pending, c)
		t.dirty[c] = struct{}{}
	}
	n.children = nil
	delete(t.nodes, id)
}

// SetDirect sets the number of members whose cell is organisation id.
func (t *Tree) SetDirect(id string, official, probationary int32) {
	if n := t.nodes[id]; n != nil {
		n.org.Counts.DirectOfficial, n.org.Counts.DirectProbationary = official, probationary
		t.dirty[n] = struct{}{}
	}
}

// unlink detaches n from its parent, marking the old ancestors for recount.
func (t *Tree) unlink(n *node) {
	if !n.linked {
		return
	}
	siblings := &t.roots
	if n.parent != nil {
		siblings = &n.parent.children
		t.dirty[n.parent] = struct{}{}
	}
	if i, ok := slices.BinarySearchFunc(*siblings, n, compareNodes); ok {
		*siblings = slices.Delete(*siblings, i, i+1)
	}
	n.parent, n.linked = nil, false
}

// compareNodes orders siblings by kind, then folded name, then id: the order of
// children pages and their keyset cursors.
func compareNodes(a, b *node) int { return a.sibling().Compare(b.sibling()) }

func (n *node) sibling() org.SiblingKey {
	return org.SiblingKey{Kind: n.org.Kind, Name: n.key, ID: n.org.ID}
}

// Recount links what Set and Remove left pending and recounts every changed
// node and its ancestors, deepest first. It fails if the parents form a cycle.
func (t *Tree) Recount() error {
	sortLists := map[*[]*node]struct{}{}
	for _, n := range t.pending {
		if n.linked || t.nodes[n.org.ID] != n {
			continue
		}
		siblings := &t.roots
		if p := t.nodes[n.org.ParentID]; p != nil && n.org.ParentID != "" {
			n.parent = p
			siblings = &p.children
		}
		*siblings = append(*siblings, n)
		n.linked = true
		sortLists[siblings] = struct{}{}
	}
	t.pending = t.pending[:0]
	for s := range sortLists {
		slices.SortFunc(*s, compareNodes)
	}

	type entry struct {
		n     *node
		depth int
	}
	var order []entry
	seen := make(map[*node]struct{}, len(t.dirty)*2)
	for n := range t.dirty {
		for m := n; m != nil; m = m.parent {
			if _, ok := seen[m]; ok {
				break
			}
			seen[m] = struct{}{}
			d, err := t.depth(m)
			if err != nil {
				return err
			}
			order = append(order, entry{m, d})
		}
	}
	clear(t.dirty)
	slices.SortFunc(order, func(a, b entry) int { return cmp.Compare(b.depth, a.depth) })
	for _, e := range order {
		c := &e.n.org.Counts
		*c = org.Counts{DirectOfficial: c.DirectOfficial, DirectProbationary: c.DirectProbationary,
			Official: c.DirectOfficial, Probationary: c.DirectProbationary}
		for _, ch := range e.n.children {
			c.AddSubtree(ch.org.Kind, ch.org.Sector, &ch.org.Counts)
		}
	}
	return nil
}

// depth is the number of ancestors of n, or an error if they form a cycle.
func (t *Tree) depth(n *node) (int, error) {
	d := 0
	for p := n.parent; p != nil; p = p.parent {
		if d++; d > len(t.nodes) {
			return 0, org.Errorf(org.EInternal, "cấu trúc tổ chức có vòng lặp tại %q", n.org.ID)
		}
	}
	return d, nil
}

// Get is organisation id with its counts.
func (t *Tree) Get(id string) (org.Org, bool) {
	if n := t.nodes[id]; n != nil {
		return n.org, true
	}
	return org.Org{}, false
}

// Has reports whether organisation id is in the tree.
func (t *Tree) Has(id string) bool { return t.nodes[id] != nil }

// Roots are the organisations without a parent in the tree, in sibling order.
func (t *Tree) Roots() []org.Org { return orgsOf(t.roots) }

func orgsOf(ns []*node) []org.Org {
	out := make([]org.Org, len(ns))
	for i, n := range ns {
		out[i] = n.org
	}
	return out
}

// Path lists the organisations from the root down to id, id included.
func (t *Tree) Path(id string) []org.Org {
	n := t.nodes[id]
	if n == nil {
		return nil
	}
	depth := 0
	for a := n; a != nil; a = a.parent {
		depth++
	}
	path := make([]org.Org, depth)
	for ; n != nil; n = n.parent {
		depth--
		path[depth] = n.org
	}
	return path
}

// Within reports whether id is ancestor itself or lies below it.
func (t *Tree) Within(id, ancestor string) bool { return t.WithinAny(id, []string{ancestor}) }

// WithinAny reports whether id is one of ancestors or lies below one.
func (t *Tree) WithinAny(id string, ancestors []string) bool {
	for n := t.nodes[id]; n != nil; n = n.parent {
		if slices.Contains(ancestors, n.org.ID) {
			return true
		}
	}
	return false
}

// Children returns a page of id's children in sibling order, only those of the
// given kinds when kinds is not empty. total counts every matching child.
func (t *Tree) Children(id string, q org.PageQuery, kinds []org.Kind) (page []org.Org, hasNext bool, total int, err error) {
	n := t.nodes[id]
	if n == nil {
		return nil, false, 0, org.NotFound("tổ chức", id)
	}
	start := 0
	if q.After != "" {
		after, err := org.DecodeChildCursor(q.After)
		if err != nil {
			return nil, false, 0, err
		}
		start, _ = slices.BinarySearchFunc(n.children, after, func(c *node, k org.SiblingKey) int { return c.sibling().Compare(k) })
		if start < len(n.children) && n.children[start].org.ID == after.ID {
			start++
		}
	}
	// One allocation of the page's size at most: an Org is large, and a
	// doubling slice copies and discards it.
	if size := min(q.First, len(n.children)-start); size > 0 {
		page = make([]org.Org, 0, size)
	}
	for i, c := range n.children {
		if len(kinds) > 0 && !slices.Contains(kinds, c.org.Kind) {
			continue
		}
		total++
		if i >= start {
			if len(page) == q.First {
				hasNext = true
				continue
			}
			page = append(page, c.org)
		}
	}
	return page, hasNext, total, nil
}

// Walk visits id and its subtree in pre-order (parents before children, siblings
// in order) down to maxDepth levels below id (all when maxDepth < 0), stopping
// early when visit returns false.
func (t *Tree) Walk(id string, maxDepth int, visit func(o *org.Org, depth int) bool) error {
	n := t.nodes[id]
	if n == nil {
		return org.NotFound("tổ chức", id)
	}
	var walk func(n *node, depth int) bool
	walk = func(n *node, depth int) bool {
		if !visit(&n.org, depth) {
			return false
		}
		if maxDepth >= 0 && depth >= maxDepth {
			return true
		}
		for _, c := range n.children {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	walk(n, 0)
	return nil
}
