package demo

import (
	"fmt"
	"slices"

	"dangbo/internal/org"
)

// Kon Tum's village heads and thematic meetings (its 2021 report): of the 756
// villages and residential groups left on 25 October 2021, 588 are headed
// by a member (trưởng thôn, tổ trưởng tổ dân phố: the VILLAGE_HEAD role),
// 280 of them by the cell's secretary, who are the secretaries the history
// marks as heading their village; and 2,203 of the 2,276 cells have held
// thematic meetings (sinh hoạt chuyên đề) in 2021. The communes record both
// on that day, as the province gathers them for its report, each by a
// decision of the cell's superior, after every other change of the history:
// so every record a change reads is as the history left it.

// The offices' figures.
const (
	konTumVillageHeads = 588  // villages and residential groups headed by a member
	konTumMeetingCells = 2203 // cells that held thematic meetings in the year of konTumEnd
)

// withOffices is history h followed by the record of the village heads and
// thematic meetings of its last day.
func withOffices(h func(*builder) chronicle) func(*builder) chronicle {
	return func(b *builder) chronicle { return &offices{chronicle: h(b), b: b} }
}

type offices struct {
	chronicle
	b *builder
}

func (o *offices) run() {
	o.chronicle.run()
	h := o.chronicle.(*konTumHistory)
	o.record(h.l, h.firstOrg, h.firstMember)
}

// record records, on konTumEnd, the village heads and the year's thematic
// meetings of the province's cells.
func (o *offices) record(l *recorder, firstOrg, firstMember int) {
	b, at := o.b, konTumEnd
	var cells, villages []string
	village := map[string]bool{}
	for i := firstOrg; i < len(b.d.Orgs); i++ {
		if c, ok := b.d.Orgs[i].OrgAt(at); ok && c.Kind == org.Cell {
			cells = append(cells, c.ID)
			if c.Sector.IsResidential() {
				villages = append(villages, c.ID)
				village[c.ID] = true
			}
		}
	}
	// Each village's official members on the day, and its secretary if they head it.
	members, secretaryHeads := map[string][]string{}, map[string]string{}
	for i := firstMember; i < len(b.d.Members); i++ {
		m := &b.d.Members[i]
		cell := m.CellOn(at)
		if cell == "" {
			continue
		}
		// Villages choose their heads among those they know: official members here.
		if m.StatusOn(at) == org.Official {
			members[cell] = append(members[cell], m.ID)
		}
		for _, t := range m.Roles {
			if t.Role == org.Secretary && t.HeadOfUnit && t.OrgID == cell && village[cell] && t.Holds(at) {
				secretaryHeads[cell] = m.ID
			}
		}
	}
	var others []string // villages a member other than the secretary may head
	for _, v := range villages {
		if secretaryHeads[v] == "" && len(members[v]) > 1 {
			others = append(others, v)
		}
	}
	if len(secretaryHeads) != konTumHeads || len(others) < konTumVillageHeads-konTumHeads || len(cells) < konTumMeetingCells {
		panic(fmt.Sprintf("demo: Kon Tum's villages cannot hold the article's figures: %d secretaries head, %d villages of %d others, %d cells", len(secretaryHeads), len(others), len(villages), len(cells)))
	}
	heads := map[string]string{}
	for v, m := range secretaryHeads {
		heads[v] = m
	}
	for _, i := range b.r.Perm(len(others))[:konTumVillageHeads-konTumHeads] {
		v := others[i]
		candidates := slices.DeleteFunc(slices.Clone(members[v]), func(id string) bool { return l.holdsAny(id, v, at) })
		heads[v] = candidates[b.r.IntN(len(candidates))]
	}
	for _, v := range villages { // in a stable order, not the map's
		if m, ok := heads[v]; ok {
			l.assignRole(at, m, v, org.VillageHead, false)
		}
	}
	for _, i := range b.r.Perm(len(cells))[:konTumMeetingCells] {
		// Once a quarter at least, three quarters gone.
		l.meetings(at, cells[i], at.Year(), 3+b.r.IntN(3))
	}
}

// holdsAny reports whether member id holds a role in organisation orgID on
// date at: a village's secretary heads it only when the history says so.
func (l *recorder) holdsAny(id, orgID string, at org.Date) bool {
	return slices.ContainsFunc(l.memberRecord(id).Roles, func(t org.RoleTerm) bool { return t.OrgID == orgID && t.Holds(at) })
}
