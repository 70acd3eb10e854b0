package demo

import (
	"container/heap"
	"slices"
	"time"

	"dangbo/internal/org"
)

// End is the demo's present: the last day its history reaches. The dated
// figures of the articles describe 2021 (Reference, Kon Tum's 25 October
// 2021); from then each province lives on to End by the domain's operations —
// confirmations after the year of probation, admissions, deaths, transfers
// and the yearly ratings of its grassroots organisations — so that a read
// dated any day up to End sees the party of that day: probationary members
// confirmed on time but for a few late ones, new members on probation.
//
// A fixed date, not the clock when the demo is seeded: the same seed gives
// the same data on any day, which the tests, the exports and every copy of
// the demo rely on. It is the day the demo was last brought up to date, not
// later: a history reaching into the future would hold planned changes, and
// an operation a user records today on an organisation one of them touches
// would be refused as contradicting it. A read dated after End sees the
// structure standing still, and probations overdue as their twelve months
// pass (in Quảng Ninh about six more a day); moving End forward brings the
// demo up to date again.
var End = org.DateFrom(2026, time.December, 7)

// presentPlan is how a province lives on after its figures' date: per year.
type presentPlan struct {
	from       org.Date // the first day after the figures' date
	admissions int
	deaths     int
	transfers  int
}

// present writes a province's history from plan.from to End.
type present struct {
	b       *builder
	l       *recorder
	first   int // the province's first member in b.d.Members
	holders []*unit
	queue   events
	planned int
}

// liveOn writes the province's present; its members begin at firstMember.
func (b *builder) liveOn(firstMember int) {
	p := &present{b: b, l: b.rec, first: firstMember}
	plan := b.p.present
	walk(b.root, func(u *unit) {
		if u.kind.HoldsMembers() && p.l.alive(u.id, plan.from) && p.l.orgRecord(u.id).Ended() == org.Forever {
			p.holders = append(p.holders, u)
		}
	})
	for i := firstMember; i < len(b.d.Members); i++ {
		if m := &b.d.Members[i]; m.OfficialOn == nil && presentCell(m) != "" {
			p.confirmLater(max(plan.from, m.AdmittedOn.AddYears(1)), m.ID)
		}
	}
	for y := plan.from.Year(); y <= End.Year(); y++ {
		lo, hi := max(plan.from, org.DateFrom(y, time.January, 1)), min(End, org.DateFrom(y, time.December, 31))
		share := float64(hi-lo+1) / 365
		for range int(share * float64(plan.admissions)) {
			p.schedule(b.date(lo, hi), prioAdmission, p.admit)
		}
		for i := range int(share * float64(plan.deaths)) {
			reason := org.RemovalDeceased
			if i%10 == 9 {
				reason = org.RemovalStruckOff
			}
			p.schedule(b.date(lo, hi), prioRemoval, func(at org.Date) { p.remove(at, reason) })
		}
		for range int(share * float64(plan.transfers)) {
			p.schedule(b.date(lo, hi), prioStructure, p.transfer)
		}
		// The year's ratings, decided from mid-December to mid-January.
		if y < End.Year() {
			rated := y
			p.schedule(b.date(org.DateFrom(y, time.December, 15), org.DateFrom(y+1, time.January, 15)), prioRating,
				func(at org.Date) { p.rate(at, rated) })
		}
	}
	for p.queue.Len() > 0 {
		e := heap.Pop(&p.queue).(*event)
		e.fn(e.at)
	}
}

// prioRating comes after every other operation of a day.
const prioRating = prioResidence + 1

func (p *present) schedule(at org.Date, prio int, fn func(at org.Date)) {
	heap.Push(&p.queue, &event{at: at, prio: prio, seq: p.planned, fn: fn})
	p.planned++
}

// confirmLater confirms member id on or soon after the earliest date: most
// within the week, one in fifty months late, as committees meet.
func (p *present) confirmLater(earliest org.Date, id string) {
	at := earliest.AddDays(p.b.r.IntN(7))
	if p.b.r.IntN(50) == 0 {
		at = earliest.AddDays(30 + p.b.r.IntN(60))
	}
	if at <= End {
		p.schedule(at, prioConfirmation, func(at org.Date) {
			p.l.confirm(at, id)
			p.electCommittee(at, p.l.memberRecord(id).CellOn(at))
		})
	}
}

// electCommittee gives a cell that reached nine official members its cell
// committee (R4): beside its secretary, a deputy.
func (p *present) electCommittee(at org.Date, cell string) {
	var free []string
	officials, leaders := 0, 0
	for _, id := range p.l.present[cell] {
		m := p.l.memberRecord(id)
		if m.StatusOn(at) != org.Official {
			continue
		}
		officials++
		held, here := false, false
		for _, t := range m.Roles {
			held = held || t.Holds(at)
			here = here || t.Holds(at) && t.OrgID == cell
		}
		if here {
			leaders++
		}
		if !held {
			free = append(free, id)
		}
	}
	if officials < 9 || leaders >= 2 || len(free) == 0 {
		return
	}
	slices.Sort(free)
	p.l.assignRole(at, free[p.b.r.IntN(len(free))], cell, org.DeputySecretary, false)
}

// admit admits a young member to a cell with room, and later links a
// working one to their village.
func (p *present) admit(at org.Date) {
	b := p.b
	var u *unit
	for {
		u = p.holders[b.r.IntN(len(p.holders))]
		if b.r.Float64() < admitWeight[u.sector] && p.room(u) {
			break
		}
	}
	m, home := b.newcomer(u, at, p.l.datasetStore)
	id := p.l.admit(at, u.id, m)
	p.confirmLater(at.AddYears(1), id)
	if home != u && b.chance(linkedShare) {
		if s := at.AddDays(7 + b.r.IntN(60)); s <= End {
			p.schedule(s, prioResidence, func(at org.Date) {
				if presentCell(p.l.memberRecord(id)) == u.id && p.l.alive(home.id, at) {
					p.l.setResidence(at, id, home.id)
				}
			})
		}
	}
}

// newcomer is a member to admit to unit u on date at, with the village or
// residential group they live in: u itself if it is one.
func (b *builder) newcomer(u *unit, at org.Date, s *datasetStore) (org.MemberRecord, *unit) {
	var m org.MemberRecord
	b.identity(&m, u.area, u.sector)
	born := at.AddYears(-18 - b.r.IntN(18)).AddDays(-1 - b.r.IntN(364))
	m.Personal.BirthDate = &born
	m.Theory = org.Theory(3 - countAbove(theoryProbationary, b.r.Float64()))
	home := u
	if !u.sector.IsResidential() {
		for home = nil; home == nil; {
			if h := u.area.homes[b.r.IntN(len(u.area.homes))]; s.alive(h.id, at) {
				home = h
			}
		}
	}
	m.Personal.Address = home.place
	m.Personal.Phone = b.phone()
	return m, home
}

// free draws an official member without any role, of the province, whose
// cell keeps at least keep official members without them.
func (p *present) free(at org.Date, keep int) (*org.MemberRecord, string) {
	b := p.b
	for {
		m := &b.d.Members[p.first+b.r.IntN(len(b.d.Members)-p.first)]
		cell := presentCell(m)
		if cell == "" || m.StatusOn(at) != org.Official || len(m.Roles) > 0 {
			continue
		}
		if p.officials(at, cell) > keep {
			return m, cell
		}
	}
}

// officials counts the official members of a cell.
func (p *present) officials(at org.Date, cell string) int {
	n := 0
	for _, id := range p.l.present[cell] {
		if p.l.memberRecord(id).StatusOn(at) == org.Official {
			n++
		}
	}
	return n
}

// remove takes a member off the rolls, their cell keeping three official members.
func (p *present) remove(at org.Date, reason org.RemovalReason) {
	m, _ := p.free(at, 3)
	p.l.remove(at, m.ID, reason)
}

// transfer moves a member for good to another cell of the same district, as
// when they change jobs or move house; no cell is left with fewer than three
// official members or grows past its size.
func (p *present) transfer(at org.Date) {
	b := p.b
	m, from := p.free(at, 3)
	src := p.holderByID(from)
	// From work to work, or from home to home: a working member keeps
	// their residence link, which a move into that very cell would end.
	fits := func(u *unit) bool {
		return u.id != from && districtOf(u) == districtOf(src) && u.sector.IsResidential() == src.sector.IsResidential() &&
			u.id != m.ResidenceOn(at) && p.room(u)
	}
	if !slices.ContainsFunc(p.holders, fits) {
		return // a small commune whose other villages are full: the member stays
	}
	for {
		if u := p.holders[b.r.IntN(len(p.holders))]; fits(u) {
			p.l.transfer(at, m.ID, u.id)
			return
		}
	}
}

// room reports whether cell u may take one more member: a grassroots cell
// stays under 30 (R2), a cell within the size it was planned with (R3).
func (p *present) room(u *unit) bool {
	n := len(p.l.present[u.id])
	if u.kind == org.GrassrootsCell {
		return n < 27
	}
	return n < max(u.size, cellCap)
}

func (p *present) holderByID(id string) *unit {
	for _, u := range p.holders {
		if u.id == id {
			return u
		}
	}
	panic("demo: no cell " + id)
}

// districtOf is the district-level committee u belongs to.
func districtOf(u *unit) *unit {
	for u.parent != nil && u.parent.parent != nil {
		u = u.parent
	}
	return u
}

// rate records the year's ratings of the grassroots organisations, in the
// shares the articles report of Quảng Ninh's 2020: about a fifth excellent, three
// quarters good, the rest completed and a rare one not.
func (p *present) rate(at org.Date, year int) {
	b := p.b
	walk(b.root, func(u *unit) {
		if u.kind != org.GrassrootsCommittee && u.kind != org.GrassrootsCell || !p.l.alive(u.id, at) {
			return
		}
		grade := org.Good
		switch x := b.r.Float64(); {
		case x < 0.18:
			grade = org.Excellent
		case x < 0.925:
		case x < 0.995:
			grade = org.Completed
		default:
			grade = org.NotCompleted
		}
		p.l.rate(at, org.Rating{OrgID: u.id, Year: year, Grade: grade})
	})
}
