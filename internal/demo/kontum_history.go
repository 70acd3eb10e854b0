package demo

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"dangbo/internal/org"
)

// konTumHistory writes what happened in Kon Tum from 8 August 2016 to 25
// October 2021 (as the source articles report it), each change by the
// domain's own operation (recorder), in the order of their effective dates:
//
//   - 232 organisations established: a police cell in each of the 86
//     communes as regular police took over commune security (2019–2020),
//     with officers transferred from the district police; 49 schools formed
//     from a commune's primary and lower secondary schools (the two cells
//     dissolved into the new one); in each district the culture, sports and
//     media centre, the vocational and continuing education centre, the
//     agricultural services centre and three police teams, each formed from
//     the units dissolved into it; six forest protection boards in place of
//     the state forestry companies; and 31 cooperatives' cells, whose members
//     come from the villages they still live in.
//   - 225 dissolved: the 98 school cells, 20 cells of the district culture
//     and broadcasting centres, 20 of the vocational and continuing education
//     centres, 30 agricultural stations, 40 police teams, the six forestry
//     companies, and 11 communes' military cells whose members join the
//     commune agencies' cell.
//   - 198 merged: 112 mergers of villages and residential groups, which take
//     the 874 of 2016 to 756; 37 kindergarten cells into the primary school's,
//     9 communes' military cells into the agencies' cell, and in each district
//     two pairs of police work teams, the land fund centre into the
//     construction projects board and the population centre into the health
//     centre.
//   - 6,225 members admitted, each confirmed after twelve months of probation
//     when that falls before the end, as are the 1,150 on probation in 2016;
//     600 taken off the rolls (540 deceased, 60 struck off); working members
//     linked to the village they live in after their admission, and again
//     after their village merged.
//
// Every new organisation gets its secretary. Cells end on 25 October 2021 at
// 2,276, 756 of them villages and residential groups, 280 of whose
// secretaries head their village; the province has 26,425 members.
//
// The figures hold for every seed by construction: each planned operation is
// one change of its type, none is conditional on what the seed drew (the
// seed only picks which commune, member or date), and each is dated inside
// the history. Villages change only by the planned mergers, cells only by
// the planned operations; the plan's 874 villages and 2,413 cells are fixed
// by the district plans (konTum).
type konTumHistory struct {
	b                     *builder
	l                     *recorder
	firstOrg, firstMember int
	districts             []*ktDistrict
	byID                  map[string]*unit
	queue                 events
	merged                map[string]string // village → the village it merged into
	heads                 []bool            // whether each new village's secretary heads it, in the order planned
	coops                 map[*ktCommune]bool
	planned               int // events planned so far
}

// The history's figures.
const (
	konTumAdmissions = 6225
	konTumRemovals   = 600
	konTumHeads      = 280 // village and residential-group secretaries who head their village
)

// ktDistrict is a district of the plan with what the history needs of it.
type ktDistrict struct {
	u        *unit
	d        *district
	communes []*ktCommune
	holders  []*unit // cells and grassroots cells, new ones included, for admissions
}

// ktCommune is a commune, ward or township.
type ktCommune struct {
	u           *unit
	k           *ktDistrict
	word, name  string
	place       string  // "xã Đắk Cấm, thành phố Kon Tum, tỉnh Kon Tum"
	homes       []*unit // its villages or residential groups
	newVillages int
	taken       map[string]bool // names of its villages, planned ones included
}

// cell is the commune's non-residential cell of that name.
func (c *ktCommune) cell(name string) *unit {
	for _, u := range c.u.children {
		if u.name == name {
			return u
		}
	}
	panic("demo: no " + name + " in " + c.u.name)
}

func newKonTumHistory(b *builder) chronicle {
	return &konTumHistory{b: b, byID: map[string]*unit{}, merged: map[string]string{}, coops: map[*ktCommune]bool{}}
}

// child is the organisation of that name under u.
func child(u *unit, name string) *unit {
	for _, c := range u.children {
		if c.name == name {
			return c
		}
	}
	panic("demo: no " + name + " under " + u.name)
}

// prepare plans the structural changes on the plan's units: which villages
// merge (and so which survive, whose secretaries may head them), which
// schools, centres and teams are reorganised, and when.
func (h *konTumHistory) prepare() {
	b := h.b
	h.firstOrg, h.firstMember = len(b.d.Orgs), len(b.d.Members)
	for i, du := range b.root.children {
		d := &b.p.districts[i]
		k := &ktDistrict{u: du, d: d}
		walk(du, func(u *unit) {
			if u.kind.HoldsMembers() {
				k.holders = append(k.holders, u)
			}
		})
		words := slices.Concat(repeat("phường", len(d.wards)), repeat("thị trấn", len(d.townships)), repeat("xã", len(d.communes)))
		names := slices.Concat(d.wards, d.townships, d.communes)
		for j, word := range words {
			c := &ktCommune{u: du.children[j], k: k, word: word, name: names[j],
				place: word + " " + names[j] + ", " + d.place + ", " + b.p.place}
			for _, u := range c.u.children {
				if u.sector.IsResidential() {
					c.homes = append(c.homes, u)
				}
			}
			k.communes = append(k.communes, c)
		}
		h.districts = append(h.districts, k)
	}
	h.planVillages()
	h.planCommunes()
	for _, k := range h.districts {
		h.planDistrict(k)
	}
}

func repeat(s string, n int) []string { return slices.Repeat([]string{s}, n) }

// Priorities of the operations of one day: restructuring first.
const (
	prioStructure = iota
	prioRemoval
	prioAdmission
	prioConfirmation
	prioResidence
)

// schedule plans fn on a date.
func (h *konTumHistory) schedule(at org.Date, prio int, fn func(at org.Date)) {
	if at < konTumStart || at > konTumEnd {
		panic(fmt.Sprintf("demo: %s is outside the history", at))
	}
	heap.Push(&h.queue, &event{at: at, prio: prio, seq: h.planned, fn: fn})
	h.planned++
}

// within is a date drawn between two dates.
func (h *konTumHistory) within(y1 int, m1 time.Month, d1 int, y2 int, m2 time.Month, d2 int) org.Date {
	return h.b.date(org.DateFrom(y1, m1, d1), org.DateFrom(y2, m2, d2))
}

// schoolYear is the start of a school year between 2017 and 2020.
func (h *konTumHistory) schoolYear() org.Date {
	y := 2017 + h.b.r.IntN(4)
	return h.within(y, time.August, 1, y, time.September, 5)
}

// villageMerger is a merger of villages of one commune.
type villageMerger struct {
	sources, into int // sources merged; into a new village when into is 0, else into 1 existing one
}

// planVillages plans 112 mergers that take 130 villages and residential
// groups into 100 that survive and 12 new ones: 874 − 130 + 12 = 756. Each
// merges neighbouring villages of one commune, which keeps three at least.
func (h *konTumHistory) planVillages() {
	b := h.b
	var plan []villageMerger
	plan = append(plan, slices.Repeat([]villageMerger{{1, 1}}, 96)...)
	plan = append(plan, slices.Repeat([]villageMerger{{2, 1}}, 4)...)
	plan = append(plan, slices.Repeat([]villageMerger{{2, 0}}, 10)...)
	plan = append(plan, slices.Repeat([]villageMerger{{3, 0}}, 2)...)
	b.r.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })

	var communes []*ktCommune
	for _, k := range h.districts {
		communes = append(communes, k.communes...)
	}
	used := map[*unit]bool{}
	free := func(c *ktCommune) int {
		n := 0
		for _, u := range c.homes {
			if !used[u] {
				n++
			}
		}
		return n
	}
	var survivors []*unit
	sources := map[*unit]bool{}
	newVillages := 0
	for _, m := range plan {
		width := m.sources + m.into
		for {
			c := communes[b.r.IntN(len(communes))]
			// Weigh communes by their villages; keep three that no merger ends.
			if b.r.IntN(25) >= len(c.homes) || free(c)-m.sources < 3 {
				continue
			}
			start := b.r.IntN(len(c.homes) - width + 1)
			window := c.homes[start : start+width]
			if slices.ContainsFunc(window, func(u *unit) bool { return used[u] }) {
				continue
			}
			for _, u := range window {
				used[u] = true
			}
			h.scheduleVillageMerger(c, slices.Clone(window), m.into == 1, newVillages)
			for _, u := range window[m.into:] {
				sources[u] = true
			}
			if m.into == 0 {
				newVillages++
			}
			break
		}
	}
	for _, c := range communes {
		for _, u := range c.homes {
			if !sources[u] {
				survivors = append(survivors, u)
			}
		}
	}
	// The heads: konTumHeads of the villages that remain, new ones included.
	heads := make([]bool, len(survivors)+newVillages)
	for _, i := range b.r.Perm(len(heads))[:konTumHeads] {
		heads[i] = true
	}
	for i, u := range survivors {
		u.head = 0
		if heads[i] {
			u.head = 1
		}
	}
	h.heads = heads[len(survivors):]
}

// scheduleVillageMerger merges window's villages: all but the first into the
// first, or all into a new village when intoFirst is false.
func (h *konTumHistory) scheduleVillageMerger(c *ktCommune, window []*unit, intoFirst bool, nth int) {
	at := h.within(2019, time.January, 1, 2021, time.June, 30)
	var name string
	if !intoFirst {
		c.newVillages++
		if c.word == "xã" {
			if c.taken == nil {
				c.taken = map[string]bool{}
				for _, u := range c.homes {
					c.taken[u.name] = true
				}
			}
			for _, n := range konTumMergedVillages {
				if name = "thôn " + n; !c.taken["Chi bộ "+name] {
					break
				}
			}
			c.taken["Chi bộ "+name] = true
		} else {
			name = fmt.Sprintf("tổ dân phố %d", len(c.homes)+c.newVillages)
		}
	}
	h.schedule(at, prioStructure, func(at org.Date) {
		l := h.l
		if intoFirst {
			l.merge(at, ids(window[1:]), window[0].id, nil)
			h.relink(window[1:], window[0])
			return
		}
		sector := window[0].sector
		id := l.merge(at, ids(window), "", &org.NewOrg{ParentID: c.u.id, Name: "Chi bộ " + name, Kind: org.Cell, Sector: sector})
		u := h.adopt(id, c.u, c.k)
		u.place = strings.ToUpper(name[:1]) + name[1:] + ", " + c.place
		c.u.area.homes = append(c.u.area.homes, u)
		h.relink(window, u)
		h.secretary(at, u, h.heads[nth])
	})
}

func ids(us []*unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.id
	}
	return out
}

// relink notes where merged villages went, for links planned to them: the
// merger itself linked those who lived there to the village they merged into.
func (h *konTumHistory) relink(sources []*unit, into *unit) {
	for _, s := range sources {
		h.merged[s.id] = into.id
	}
}

// adopt makes a unit of a new organisation, under parent, in district k.
func (h *konTumHistory) adopt(id string, parent *unit, k *ktDistrict) *unit {
	rec := h.l.orgRecord(id)
	v := rec.Versions[0]
	u := &unit{id: id, name: v.Name, kind: v.Kind, sector: v.Sector, since: v.Since, parent: parent, area: parent.area}
	parent.children = append(parent.children, u)
	h.byID[id] = u
	if u.kind.HoldsMembers() {
		k.holders = append(k.holders, u)
	}
	return u
}

// planCommunes plans the communes' changes: a police cell in each commune; a
// new school from the primary and lower secondary schools in 49 communes, the
// kindergarten's cell merged into the primary school's in the other 37; the
// military cell joining the agencies' in 20 communes, wards or townships;
// 31 cooperatives.
func (h *konTumHistory) planCommunes() {
	b := h.b
	var all, communes []*ktCommune
	for _, k := range h.districts {
		for _, c := range k.communes {
			all = append(all, c)
			if c.word == "xã" {
				communes = append(communes, c)
			}
		}
	}
	for _, c := range communes {
		h.schedule(h.within(2019, time.September, 1, 2020, time.December, 31), prioStructure, func(at org.Date) {
			id := h.l.establish(at, c.u.id, "Chi bộ Công an xã", org.Cell, org.SectorArmedForces)
			u := h.adopt(id, c.u, c.k)
			police := child(c.k.u, fill(ktPolice, c.k.d.place))
			for _, m := range h.donors(at, police, 3+b.r.IntN(2)) {
				h.l.transfer(at, m, id)
			}
			h.secretary(at, u, true)
		})
	}
	order := b.r.Perm(len(communes))
	for i, k := range order {
		c := communes[k]
		primary, lower := c.cell("Chi bộ Trường Tiểu học "+c.name), c.cell("Chi bộ Trường THCS "+c.name)
		if i < 49 {
			name := "Chi bộ Trường Tiểu học và THCS " + c.name
			if c.k.d.hills.share > 0.5 {
				name = "Chi bộ Trường Phổ thông dân tộc bán trú Tiểu học và THCS " + c.name
			}
			h.reorganise(h.schoolYear(), c.u, c.k, name, org.Cell, org.SectorSchool, 0.6, primary, lower)
		} else {
			h.mergeInto(h.schoolYear(), primary, c.cell("Chi bộ Trường Mầm non "+c.name))
		}
	}
	for i, k := range b.r.Perm(len(all))[:20] {
		c := all[k]
		military, agencies := c.cell("Chi bộ Quân sự"), c.cell("Chi bộ Cơ quan")
		at := h.within(2017, time.January, 1, 2019, time.December, 31)
		if i < 11 {
			h.schedule(at, prioStructure, func(at org.Date) { h.l.dissolve(at, military.id, agencies.id, "") })
		} else {
			h.mergeInto(at, agencies, military)
		}
	}
	for range 31 {
		h.schedule(h.within(2017, time.March, 1, 2021, time.September, 30), prioStructure, h.cooperative)
	}
}

// cooperative establishes the cell of a cooperative in a commune that has
// none, with members of its villages, who stay linked to them.
func (h *konTumHistory) cooperative(at org.Date) {
	b := h.b
	for {
		k := h.districts[b.r.IntN(len(h.districts))]
		c := k.communes[b.r.IntN(len(k.communes))]
		if c.word != "xã" || h.coops[c] {
			continue
		}
		var villages []*unit
		for _, u := range c.homes {
			if h.l.alive(u.id, at) {
				villages = append(villages, u)
			}
		}
		donors := h.candidates(at, villages)
		if len(donors) < 6 {
			continue
		}
		h.coops[c] = true
		kind := []string{"Nông nghiệp", "Dịch vụ nông nghiệp", "Dịch vụ tổng hợp"}[b.r.IntN(3)]
		if k.d.key == "Tu Mơ Rông" || k.d.key == "Đắk Glei" {
			kind = "Sâm Ngọc Linh"
		}
		id := h.l.establish(at, c.u.id, "Chi bộ Hợp tác xã "+kind+" "+c.name, org.Cell, org.SectorEnterprise)
		u := h.adopt(id, c.u, k)
		for _, m := range h.donors(at, c.u, 3+b.r.IntN(2), villages...) {
			home := h.l.memberRecord(m).CellOn(at)
			h.l.transfer(at, m, id)
			h.l.setResidence(at, m, home)
		}
		h.secretary(at, u, true)
		return
	}
}

// planDistrict plans the district's own changes: its centres, stations and
// police teams reorganised, its forestry company replaced, its land fund and
// population centres merged.
func (h *konTumHistory) planDistrict(k *ktDistrict) {
	du, place := k.u, k.d.place
	own := func(name string) *unit { return child(du, fill(name, place)) }
	h.reorganise(h.within(2018, time.July, 1, 2019, time.December, 31), du, k,
		"Chi bộ Trung tâm Văn hóa – Thể thao và Truyền thông "+place, org.GrassrootsCell, org.SectorPublicService, 0.8,
		own(ktCulture), own(ktBroadcasting))
	h.reorganise(h.within(2017, time.September, 1, 2018, time.December, 31), du, k,
		"Chi bộ Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên "+place, org.GrassrootsCell, org.SectorSchool, 0.8,
		own(ktVocational), own(ktContinuing))
	h.reorganise(h.within(2019, time.January, 1, 2020, time.June, 30), du, k,
		"Chi bộ Trung tâm Dịch vụ nông nghiệp "+place, org.GrassrootsCell, org.SectorPublicService, 0.8,
		own(ktExtension), own(ktVeterinary), own(ktCrops))
	if slices.ContainsFunc(du.children, func(u *unit) bool { return u.name == fill(ktForestry, k.d.key) }) {
		h.reorganise(h.within(2017, time.January, 1, 2018, time.December, 31), du, k,
			"Chi bộ Ban Quản lý rừng phòng hộ "+k.d.key, org.GrassrootsCell, org.SectorPublicService, 0.8,
			child(du, fill(ktForestry, k.d.key)))
	}
	h.mergeInto(h.within(2019, time.June, 1, 2020, time.December, 31), own(ktProjects), own(ktLandFund))
	h.mergeInto(h.within(2018, time.January, 1, 2019, time.December, 31),
		child(own(ktHealthCentre), "Chi bộ Phòng Kế hoạch – Nghiệp vụ"), own(ktPopulation))

	// The police of 2018–2019: teams formed anew, work teams merged.
	police := own(ktPolice)
	team := func(name string) *unit { return child(police, "Chi bộ "+name) }
	at := func() org.Date { return h.within(2018, time.September, 1, 2019, time.June, 30) }
	h.reorganise(at(), police, k, "Chi bộ Đội Cảnh sát điều tra tội phạm về trật tự xã hội", org.Cell, org.SectorArmedForces, 0.9,
		team("Đội Cảnh sát hình sự"))
	h.reorganise(at(), police, k, "Chi bộ Đội Cảnh sát điều tra tội phạm về kinh tế và ma túy", org.Cell, org.SectorArmedForces, 0.9,
		team("Đội Cảnh sát kinh tế"), team("Đội Cảnh sát điều tra tội phạm về ma túy"))
	h.reorganise(at(), police, k, "Chi bộ Đội Tổng hợp", org.Cell, org.SectorArmedForces, 0.9, team("Đội Tham mưu – Tổng hợp"))
	h.mergeInto(at(), team("Đội Công tác số 1"), team("Đội Công tác số 2"))
	h.mergeInto(at(), team("Đội Công tác số 3"), team("Đội Công tác số 4"))
}

// reorganise establishes an organisation under parent and dissolves olds
// into it, their members moving to it; then it gets its secretary.
func (h *konTumHistory) reorganise(at org.Date, parent *unit, k *ktDistrict, name string, kind org.Kind, sector org.Sector,
	head float64, olds ...*unit) {
	h.schedule(at, prioStructure, func(at org.Date) {
		id := h.l.establish(at, parent.id, name, kind, sector)
		u := h.adopt(id, parent, k)
		for _, o := range olds {
			h.l.dissolve(at, o.id, id, "")
		}
		h.secretary(at, u, h.b.chance(head))
	})
}

// mergeInto merges sources into target.
func (h *konTumHistory) mergeInto(at org.Date, target *unit, sources ...*unit) {
	h.schedule(at, prioStructure, func(at org.Date) { h.l.merge(at, ids(sources), target.id, nil) })
}

// secretary elects an official member of the new organisation u its secretary.
func (h *konTumHistory) secretary(at org.Date, u *unit, head bool) {
	var officials []string
	for _, id := range h.l.present[u.id] {
		if m := h.l.memberRecord(id); m.StatusOn(at) == org.Official {
			officials = append(officials, id)
		}
	}
	if len(officials) == 0 {
		panic("demo: no official member in " + u.name)
	}
	slices.Sort(officials)
	h.l.assignRole(at, officials[h.b.r.IntN(len(officials))], u.id, org.Secretary, head)
}

// officials counts the official members of a cell.
func (h *konTumHistory) officials(at org.Date, cell string) int {
	n := 0
	for _, id := range h.l.present[cell] {
		if h.l.memberRecord(id).StatusOn(at) == org.Official {
			n++
		}
	}
	return n
}

// candidates lists, by id, the official members without any role in cells,
// whose cell keeps three official members without them: those who may move.
func (h *konTumHistory) candidates(at org.Date, cells []*unit) []string {
	var out []string
	for _, c := range cells {
		var free []string
		officials := 0
		for _, id := range h.l.present[c.id] {
			m := h.l.memberRecord(id)
			if m.StatusOn(at) != org.Official {
				continue
			}
			officials++
			if len(m.Roles) == 0 {
				free = append(free, id)
			}
		}
		slices.Sort(free)
		out = append(out, free[:min(len(free), officials-3)]...)
	}
	return out
}

// donors draws n members who may move from the cells under parent, or from
// cells when given, no cell left with fewer than three official members.
func (h *konTumHistory) donors(at org.Date, parent *unit, n int, cells ...*unit) []string {
	if cells == nil {
		for _, id := range h.l.children[parent.id] {
			if u := h.byID[id]; u != nil && u.kind.HoldsMembers() && h.l.alive(id, at) {
				cells = append(cells, u)
			}
		}
		slices.SortFunc(cells, func(a, b *unit) int { return strings.Compare(a.id, b.id) })
	}
	var out []string
	for range n {
		c := h.candidates(at, cells)
		c = slices.DeleteFunc(c, func(id string) bool { return slices.Contains(out, id) })
		if len(c) == 0 {
			panic("demo: too few members to move under " + parent.name)
		}
		out = append(out, c[h.b.r.IntN(len(c))])
	}
	return out
}

// run writes the history: the planned restructuring, the admissions, the
// confirmations, the removals, in date order.
func (h *konTumHistory) run() {
	b := h.b
	h.l = b.rec
	walk(b.root, func(u *unit) { h.byID[u.id] = u })
	for i := h.firstMember; i < len(b.d.Members); i++ {
		if m := &b.d.Members[i]; m.OfficialOn == nil {
			id := m.ID
			h.schedule(m.AdmittedOn.AddYears(1).AddDays(b.r.IntN(40)), prioConfirmation, func(at org.Date) { h.l.confirm(at, id) })
		}
	}
	weights := make([]int, len(h.districts))
	for i, k := range h.districts {
		weights[i] = k.d.members
	}
	for _, y := range []struct {
		from, to org.Date
		n        int
	}{
		{konTumStart, org.DateFrom(2016, time.December, 31), 480},
		{org.DateFrom(2017, time.January, 1), org.DateFrom(2017, time.December, 31), 1260},
		{org.DateFrom(2018, time.January, 1), org.DateFrom(2018, time.December, 31), 1250},
		{org.DateFrom(2019, time.January, 1), org.DateFrom(2019, time.December, 31), 1230},
		{org.DateFrom(2020, time.January, 1), org.DateFrom(2020, time.December, 31), 1150},
		{org.DateFrom(2021, time.January, 1), konTumEnd, 855},
	} {
		for range y.n {
			k := h.districts[pickWeighted(b, weights)]
			h.schedule(b.date(y.from, y.to), prioAdmission, func(at org.Date) { h.admit(at, k) })
		}
	}
	for i := range konTumRemovals {
		reason := org.RemovalDeceased
		if i%10 == 9 {
			reason = org.RemovalStruckOff
		}
		h.schedule(b.date(konTumStart, konTumEnd), prioRemoval, func(at org.Date) { h.removeOne(at, reason) })
	}
	for h.queue.Len() > 0 {
		e := heap.Pop(&h.queue).(*event)
		e.fn(e.at)
	}
}

func pickWeighted(b *builder, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := b.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// admitWeight is how likely a cell of each sector is to admit a given member,
// relative to a village's.
var admitWeight = [org.NumSectors]float64{
	org.SectorVillage: 1, org.SectorResidentialGroup: 1, org.SectorSchool: 0.6, org.SectorHealth: 0.5,
	org.SectorAgency: 0.4, org.SectorArmedForces: 0.8, org.SectorEnterprise: 0.5, org.SectorPublicService: 0.4,
	org.SectorOther: 0.5,
}

// admit admits a young member to a cell of district k that exists then; a
// grassroots cell stays under 30 members (R2).
func (h *konTumHistory) admit(at org.Date, k *ktDistrict) {
	b := h.b
	var u *unit
	for {
		u = k.holders[b.r.IntN(len(k.holders))]
		if b.r.Float64() < admitWeight[u.sector] && h.l.alive(u.id, at) &&
			(u.kind != org.GrassrootsCell || len(h.l.present[u.id]) < 27) {
			break
		}
	}
	m, home := b.newcomer(u, at, h.l.datasetStore)
	id := h.l.admit(at, u.id, m)
	if c := at.AddYears(1).AddDays(b.r.IntN(45)); c <= konTumEnd {
		h.schedule(c, prioConfirmation, func(at org.Date) { h.l.confirm(at, id) })
	}
	if home != u && b.chance(linkedShare) {
		if s := at.AddDays(7 + b.r.IntN(60)); s <= konTumEnd {
			h.schedule(s, prioResidence, func(at org.Date) { h.link(at, id, home) })
		}
	}
}

// link links a working member to the village they live in, or to the one it
// merged into.
func (h *konTumHistory) link(at org.Date, id string, home *unit) {
	cell := home.id
	for h.merged[cell] != "" {
		cell = h.merged[cell]
	}
	m := h.l.memberRecord(id)
	own := h.byID[m.CellOn(at)]
	if own == nil || own.sector.IsResidential() || m.ResidenceOn(at) == cell {
		return
	}
	h.l.setResidence(at, id, cell)
}

// removeOne takes off the rolls an official member without any role, whose
// cell keeps three official members.
func (h *konTumHistory) removeOne(at org.Date, reason org.RemovalReason) {
	b := h.b
	for {
		m := &b.d.Members[h.firstMember+b.r.IntN(len(b.d.Members)-h.firstMember)]
		cell := presentCell(m)
		if cell == "" || m.StatusOn(at) != org.Official || len(m.Roles) > 0 {
			continue
		}
		if h.officials(at, cell) < 4 {
			continue
		}
		h.l.remove(at, m.ID, reason)
		return
	}
}

// event is one operation planned on a date.
type event struct {
	at   org.Date
	prio int
	seq  int
	fn   func(at org.Date)
}

// events is a queue of events by date, priority, then the order they were planned.
type events struct{ all []*event }

func (q *events) Len() int { return len(q.all) }
func (q *events) Less(i, j int) bool {
	a, b := q.all[i], q.all[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq
}
func (q *events) Swap(i, j int) { q.all[i], q.all[j] = q.all[j], q.all[i] }
func (q *events) Push(x any)    { q.all = append(q.all, x.(*event)) }
func (q *events) Pop() any {
	e := q.all[len(q.all)-1]
	q.all = q.all[:len(q.all)-1]
	return e
}
