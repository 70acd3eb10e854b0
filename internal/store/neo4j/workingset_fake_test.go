package neo4j

import (
	"cmp"
	"maps"
	"slices"
)

func init() { fakeModels["working_set"] = (*fakeGraph).workingSet }

// workingSet models working_set.cypher.
func (g *fakeGraph) workingSet(p map[string]any) []row {
	at := paramDate(p)
	near, subtrees := p["near"].([]string), p["subtrees"].([]string)
	var inside, tied, own []string
	for _, id := range subtrees {
		if g.orgs[id] != nil {
			inside = append(inside, g.subtree(id, at)...)
		}
	}
	for _, id := range near {
		switch {
		case g.orgs[id] != nil:
			inside = append(inside, id)
		case g.members[id] != nil:
			own = append(own, id)
			for _, f := range slices.Concat(g.stints[id], g.residences[id], g.roles[id]) {
				tied = append(tied, f["orgId"].(string))
			}
		}
	}
	inside = sortedSet(inside)
	var children []string
	for _, id := range slices.Sorted(maps.Keys(g.orgs)) {
		if slices.ContainsFunc(g.parts[id], func(r row) bool { return slices.Contains(inside, r["parentId"].(string)) }) {
			children = append(children, id)
		}
	}
	var above []string
	for _, id := range slices.Concat(near, subtrees) {
		if g.orgs[id] != nil {
			above = append(above, g.ancestorsEver(id)...)
		}
	}
	for _, id := range tied {
		above = append(above, id)
		above = append(above, g.ancestorsEver(id)...)
	}
	var linked []string
	for _, id := range slices.Sorted(maps.Keys(g.members)) {
		facts := slices.Concat(g.stints[id], g.residences[id], g.roles[id])
		if slices.ContainsFunc(facts, func(f row) bool { return slices.Contains(inside, f["orgId"].(string)) }) {
			linked = append(linked, id)
		}
	}
	var theirs []string
	for _, id := range slices.Concat(linked, own) {
		for _, f := range slices.Concat(g.stints[id], g.residences[id], g.roles[id]) {
			theirs = append(theirs, f["orgId"].(string))
			theirs = append(theirs, g.ancestorsEver(f["orgId"].(string))...)
		}
	}
	within := slices.Concat(inside, children, theirs)
	var later []row
	for _, c := range g.changes {
		if fakeDate(c["effectiveOn"], 0) > at && slices.ContainsFunc(g.within[c["seq"].(int64)], func(id string) bool { return slices.Contains(within, id) }) {
			later = append(later, c)
		}
	}
	members := fakeModels["member_records"](g, map[string]any{"ids": sortedSet(slices.Concat(linked, own))})
	return []row{{
		"inside":  anyList(inside),
		"orgs":    anyList(g.orgRecords(sortedSet(slices.Concat(inside, children, above, theirs)), openEnd)),
		"members": anyList(members),
		"later":   anyList(later),
	}}
}

// ancestorsEver are the organisations above id at any date.
func (g *fakeGraph) ancestorsEver(id string) []string {
	var out []string
	for _, p := range g.parts[id] {
		parent := p["parentId"].(string)
		out = append(out, parent)
		out = append(out, g.ancestorsEver(parent)...)
	}
	return out
}

func sortedSet[T cmp.Ordered](ids []T) []T {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}
