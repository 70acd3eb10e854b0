package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"dangbo/internal/org"
)

// assignRoles elects the leaders of every grassroots organisation, partial
// committee and cell below u for the 2020–2025 term: a secretary everywhere;
// in a grassroots committee 5 seats and one more per 100 official members up
// to 15, two deputies from 300 members and two standing members from 9 seats;
// in a partial committee a secretary, a deputy and one member; a deputy in
// cells with at least 9 official members (R4).
func (b *builder) assignRoles(u *unit) {
	if u.figures != nil {
		b.fixHeads(u)
	}
	switch u.kind {
	case org.GrassrootsCommittee, org.PartialCommittee:
		officials := b.officials(u)
		seats, deputies, standing := 3, 1, 0
		if u.kind == org.GrassrootsCommittee {
			seats = min(5+len(officials)/100, 15)
			if len(officials) >= 300 {
				deputies = 2
			}
			if seats >= 9 {
				standing = 2
			}
		}
		b.elect(u, officials, seats, deputies, standing, b.date(b.cal.congresses, b.cal.congressesEnd))
	case org.Cell, org.GrassrootsCell:
		officials := b.officials(u)
		seats := 1
		if len(officials) >= 9 {
			seats = 2
		}
		start := b.date(b.cal.congresses.AddDays(-60), b.cal.congresses.AddDays(30))
		if u.kind == org.GrassrootsCell {
			start = b.date(b.cal.congresses, b.cal.congressesEnd)
		}
		b.elect(u, officials, seats, seats-1, 0, start)
	}
	for _, c := range u.children {
		b.assignRoles(c)
	}
}

// fixHeads makes exactly the bloc's figure of grassroots secretaries head their agency.
func (b *builder) fixHeads(d *unit) {
	for i, k := range b.r.Perm(len(d.children)) {
		d.children[k].head = 0
		if i < d.figures.secretaryHeads {
			d.children[k].head = 1
		}
	}
}

// officials lists the indices of the official members in u's subtree.
func (b *builder) officials(u *unit) []int {
	var out []int
	walk(u, func(h *unit) {
		for i := range h.size - h.probationary {
			out = append(out, h.first+i)
		}
	})
	return out
}

// elect gives seats distinct officials their roles in u from the term's start:
// a secretary, then deputies, then standing members, then committee members.
func (b *builder) elect(u *unit, officials []int, seats, deputies, standing int, start org.Date) {
	for i, k := range b.sample(len(officials), seats) {
		m := &b.d.Members[officials[k]]
		t := org.RoleTerm{Span: org.Span{Since: max(start, u.since, m.Stints[0].Since, *m.OfficialOn), Until: org.Forever},
			OrgID: u.id, Role: org.CommitteeMember}
		switch {
		case i == 0:
			t.Role, t.HeadOfUnit = org.Secretary, b.chance(u.head)
		case i <= deputies:
			t.Role = org.DeputySecretary
		case i <= deputies+standing:
			t.Role = org.StandingCommitteeMember
		}
		m.Roles = append(m.Roles, t)
		if u.kind.IsGrassroots() && t.Role <= org.DeputySecretary {
			m.Theory = max(m.Theory, org.TheoryIntermediate)
			b.leaders[officials[k]] = true
		}
	}
}

// sample draws k distinct indices below n (all of them when n <= k).
func (b *builder) sample(n, k int) []int {
	k = min(k, n)
	out := make([]int, 0, k)
	for len(out) < k {
		if i := b.r.IntN(n); !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// applyTheory sets the political theory of bloc d's members to its exact
// figures: its grassroots leaders first, then other official members at
// random, take the advanced and then the intermediate places; everyone else
// keeps the elementary or no training they were drawn with.
func (b *builder) applyTheory(d *unit) {
	var leaders, others, probationers []int
	walk(d, func(h *unit) {
		for i := range h.size {
			k := h.first + i
			switch {
			case i >= h.size-h.probationary:
				probationers = append(probationers, k)
			case b.leaders[k]:
				leaders = append(leaders, k)
			default:
				others = append(others, k)
			}
		}
	})
	b.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	f := d.figures
	for i, k := range slices.Concat(leaders, others, probationers) {
		m := &b.d.Members[k]
		switch {
		case i < f.theoryAdvanced:
			m.Theory = org.TheoryAdvanced
		case i < f.theoryAtLeastIntermediate:
			m.Theory = org.TheoryIntermediate
		default:
			m.Theory = min(m.Theory, org.TheoryElementary)
		}
	}
}

// ratingPlan is how many grassroots organisations and members get each grade
// of RatingYear. Those founded or admitted during the year are not rated.
type ratingPlan struct {
	orgs, members [org.NumGrades]int
	year          int                    // zero: RatingYear
	memberShares  [org.NumGrades]float64 // if set, the members' grades in these shares instead of members
}

func (p *ratingPlan) apply(r *rand.Rand, orgs []org.OrgRecord, members []org.MemberRecord) {
	year := cmp.Or(p.year, RatingYear)
	start := org.DateFrom(year, time.January, 1)
	var ratedOrgs []*[]org.YearRating
	for i := range orgs {
		if o := &orgs[i]; o.Versions[0].Kind.IsGrassroots() && o.Established() < start {
			ratedOrgs = append(ratedOrgs, &o.Ratings)
		}
	}
	var ratedMembers []*[]org.YearRating
	for i := range members {
		if m := &members[i]; m.OfficialOn != nil {
			ratedMembers = append(ratedMembers, &m.Ratings)
		}
	}
	counts := p.members
	if p.memberShares != ([org.NumGrades]float64{}) {
		copy(counts[:], apportion(len(ratedMembers), p.memberShares[:], make([]int, org.NumGrades), nil))
	}
	grade(r, ratedOrgs, p.orgs, year)
	grade(r, ratedMembers, counts, year)
}

// grade hands out counts[g] grades g at random; the counts must cover everyone.
func grade(r *rand.Rand, rated []*[]org.YearRating, counts [org.NumGrades]int, year int) {
	var want []org.Grade
	for g, n := range counts {
		want = append(want, slices.Repeat([]org.Grade{org.Grade(g)}, n)...)
	}
	if len(want) != len(rated) {
		panic(fmt.Sprintf("demo: rating plan covers %d, %d are rated", len(want), len(rated)))
	}
	r.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
	for i, rs := range rated {
		*rs = append(*rs, org.YearRating{Year: year, Grade: want[i]})
	}
}
