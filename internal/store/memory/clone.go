package memory

import (
	"maps"
	"slices"
)

// clone copies g for the store's second side. Member and organisation
// entries, the lists, indexes and history are copied, since writes change
// them in place; what writes replace whole (records, their strings and
// slices, change headers) is shared.
func (g *graph) clone() *graph {
	c := &graph{orgs: make(map[string]*orgEntry, len(g.orgs)), members: make(map[string]*memberEntry, len(g.members)),
		children: make(map[string][]string, len(g.children)), history: g.history.clone()}
	entries := make([]memberEntry, 0, len(g.members))
	for id, m := range g.members {
		entries = append(entries, *m)
		c.members[id] = &entries[len(entries)-1]
	}
	copied := func(l []*memberEntry) []*memberEntry {
		out := make([]*memberEntry, len(l))
		for i, m := range l {
			out[i] = c.members[m.rec.ID]
		}
		return out
	}
	for id, e := range g.orgs {
		ce := *e
		ce.stints, ce.residents, ce.holders = copied(e.stints), copied(e.residents), copied(e.holders)
		c.orgs[id] = &ce
	}
	for id, ids := range g.children {
		c.children[id] = slices.Clone(ids)
	}
	c.search = g.search.clone(c.members)
	return c
}

// clone copies the index; its member entries become those of members.
func (x *index) clone(members map[string]*memberEntry) *index {
	c := *x
	c.entries = slices.Clone(x.entries)
	for i := range c.entries {
		if e := &c.entries[i]; e.member != nil && !x.isDead(int32(i)) {
			e.member = members[e.id]
		}
	}
	c.orgNames = make(map[string][]int32, len(x.orgNames))
	for id, ns := range x.orgNames {
		c.orgNames[id] = slices.Clone(ns)
	}
	c.namesakes = make(map[string][]int32, len(x.namesakes))
	for key, ns := range x.namesakes {
		c.namesakes[key] = slices.Clone(ns)
	}
	c.vocab, c.wordID, c.sorted = slices.Clone(x.vocab), maps.Clone(x.wordID), slices.Clone(x.sorted)
	c.postings = make([]postingList, len(x.postings))
	for i, p := range x.postings {
		c.postings[i].orgs = slices.Clone(p.orgs)
		c.postings[i].members = slices.Clone(p.members)
		for j, g := range p.members {
			c.postings[i].members[j].posts = slices.Clone(g.posts)
		}
	}
	c.pool, c.start, c.dead = slices.Clone(x.pool), slices.Clone(x.start), slices.Clone(x.dead)
	return &c
}

func (h *history) clone() *history {
	return &history{heads: slices.Clone(h.heads), decisions: maps.Clone(h.decisions), last: h.last}
}
