package memory

import (
	"maps"
	"slices"
)

// clone copies g for the store's second side. Organisation entries, the
// lists, indexes and history are copied, since writes change them in place;
// what writes replace whole is shared: member entries (a write makes a new
// one, and compacting the index copies those it renumbers: rebind), records,
// their strings and slices, change headers. Sharing the member entries keeps
// one copy of the bulk of the data instead of two.
func (g *graph) clone() *graph {
	c := &graph{orgs: make(map[string]*orgEntry, len(g.orgs)), members: maps.Clone(g.members),
		children: make(map[string][]string, len(g.children)), history: g.history.clone()}
	for id, e := range g.orgs {
		ce := *e
		ce.stints, ce.residents, ce.holders = slices.Clone(e.stints), slices.Clone(e.residents), slices.Clone(e.holders)
		c.orgs[id] = &ce
	}
	for id, ids := range g.children {
		c.children[id] = slices.Clone(ids)
	}
	c.search = g.search.clone()
	return c
}

// rebind points the members map and the member lists at the entries the
// index holds, after compacting it replaced them.
func (g *graph) rebind() {
	for _, e := range g.search.entries {
		if e.member != nil {
			g.members[e.member.rec.ID] = e.member
		}
	}
	for _, e := range g.orgs {
		for l := range numMemberLists {
			list := *e.list(l)
			for i, m := range list {
				list[i] = g.members[m.rec.ID]
			}
		}
	}
}

// clone copies the index; it shares the member entries.
func (x *index) clone() *index {
	c := *x
	c.entries = slices.Clone(x.entries)
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
