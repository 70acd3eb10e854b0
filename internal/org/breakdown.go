package org

import (
	"cmp"
	"context"
	"maps"
	"slices"
)

// BreakdownBy is what a breakdown of a subtree counts by.
type BreakdownBy uint8

const (
	BreakdownStatus         BreakdownBy = iota // members: probationary, official
	BreakdownGender                            // members: men, women
	BreakdownAgeBand                           // members: the party's age bands (personal data)
	BreakdownEthnicity                         // members: Kinh, then each other group (personal data)
	BreakdownTheory                            // members: political-theory level
	BreakdownMemberRating                      // members: rating of a year
	BreakdownOrgRating                         // grassroots organisations: rating of a year
	BreakdownSecretaryHeads                    // grassroots organisations: whether their secretary heads the unit
	BreakdownVillageHeads                      // village and residential-group cells: whether a member heads the village
	BreakdownMeetings                          // cells: whether they held thematic meetings in a year
)

// personal reports whether the breakdown reads personal data.
func (b BreakdownBy) personal() bool { return b == BreakdownAgeBand || b == BreakdownEthnicity }

// BreakdownRow is one line of a breakdown.
type BreakdownRow struct {
	Key   string // stable: an enum value's name, an age band, an ethnicity
	Label string // in Vietnamese, as the party's reports write it
	Count int
	// Share is the percentage Count makes of the breakdown's base: everyone
	// counted, or, by rating, everyone rated that year (the UNRATED row's
	// share is of everyone counted).
	Share float64
}

// Unrated is the key of the row of those not rated in a rating breakdown.
const Unrated = "UNRATED"

// ageBandOf is a band of the party's statistical reports, by its upper bound.
type ageBandOf struct {
	upTo       int
	key, label string
}

var ageBands = [...]ageBandOf{
	{30, "UP_TO_30", "Đến 30 tuổi"},
	{40, "FROM_31_TO_40", "Từ 31 đến 40 tuổi"},
	{50, "FROM_41_TO_50", "Từ 41 đến 50 tuổi"},
	{60, "FROM_51_TO_60", "Từ 51 đến 60 tuổi"},
	{1 << 30, "OVER_60", "Trên 60 tuổi"},
}

var (
	statusLabels = []string{"Đảng viên dự bị", "Đảng viên chính thức"}
	genderLabels = []string{"Nam", "Nữ"}
	theoryLabels = []string{"Chưa qua đào tạo", "Sơ cấp", "Trung cấp", "Cao cấp, cử nhân"}
	gradeLabels  = []string{"Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"}
)

const (
	unknownKey   = "UNKNOWN"
	unknownLabel = "Chưa rõ"
	unratedLabel = "Chưa xếp loại"
)

// Breakdown counts the members (or, by BreakdownOrgRating and
// BreakdownSecretaryHeads, the grassroots organisations) of organisation
// id's subtree by one attribute. year is the rating year of the rating
// breakdowns: the year before the view's date when 0.
func (s *Service) Breakdown(ctx context.Context, v View, id string, by BreakdownBy, year int) ([]BreakdownRow, error) {
	return read(ctx, s, v, func(r *scoped, v View) ([]BreakdownRow, error) { return r.Breakdown(ctx, v, id, by, year) })
}

// Breakdown is aggregate: it names nobody, so the caller needs to see only
// the subtree's top, and the personal-data permission for ages and ethnicities.
func (r *scoped) Breakdown(ctx context.Context, v View, id string, by BreakdownBy, year int) ([]BreakdownRow, error) {
	if by.personal() && !r.p.Can(ReadPersonal) {
		return nil, Errorf(EForbidden, "vai trò của bạn không được thống kê đảng viên theo thông tin cá nhân (tuổi, dân tộc)")
	}
	if by > BreakdownMeetings {
		return nil, Errorf(EInvalid, "không thống kê được theo tiêu chí này")
	}
	if year == 0 {
		year = v.At.Year() - 1
	}
	nodes, err := r.ChartNodes(ctx, v, ChartQuery{RootID: id, Depth: -1}, MaxResidents)
	if err != nil {
		return nil, err
	}
	if by == BreakdownOrgRating {
		var t MemberTally
		for i := range nodes {
			if nodes[i].Kind.IsGrassroots() {
				t.Members++
				t.rate(nodes[i].Ratings, 1)
			}
		}
		return t.rows(BreakdownMemberRating, year), nil
	}
	if by == BreakdownMeetings {
		return meetingRows(nodes, year), nil
	}
	cells := cellsHolding(nodes)
	var sum MemberTally
	if tl, ok := r.store.(MemberTallier); ok {
		tallies, err := tl.CellTallies(ctx, v, cells)
		if err != nil {
			return nil, err
		}
		for _, t := range tallies {
			sum.merge(t, by, year)
		}
	} else if err := r.eachMember(ctx, v, cells, func(_ string, m *Member) error { sum.Add(m, v.At); return nil }); err != nil {
		return nil, err
	}
	switch by {
	case BreakdownSecretaryHeads:
		return secretaryRows(nodes, sum.Secretaries), nil
	case BreakdownVillageHeads:
		return villageHeadRows(nodes, sum.VillageHeads), nil
	}
	return sum.rows(by, year), nil
}

// secretaryRows counts the grassroots organisations among nodes by whether
// their secretary, as heads says of each organisation that has one, also
// heads the agency, unit or village.
func secretaryRows(nodes []ChartNode, heads map[string]bool) []BreakdownRow {
	counts, all := make([]int, 3), 0
	for i := range nodes {
		if !nodes[i].Kind.IsGrassroots() {
			continue
		}
		all++
		head, ok := heads[nodes[i].ID]
		switch {
		case !ok:
			counts[2]++
		case head:
			counts[0]++
		default:
			counts[1]++
		}
	}
	return shareRows([]string{"HEADS_UNIT", "DOES_NOT_HEAD", "NO_SECRETARY"},
		[]string{"Bí thư đồng thời là thủ trưởng", "Bí thư không đồng thời là thủ trưởng", "Chưa có bí thư"}, counts, all)
}

// MemberTally counts members by what breakdowns count them by.
type MemberTally struct {
	Members   int
	Status    [2]int
	Gender    [2]int
	Theory    [4]int
	AgeBand   [len(ageBands) + 1]int // by ageBands, then the unknown
	Ethnicity map[string]int         // "" for none recorded
	Ratings   map[int]*[NumGrades]int
	// Secretaries tells, of each organisation whose secretary is counted,
	// whether they also head its agency, unit or village.
	Secretaries map[string]bool
	// VillageHeads tells, of each village or residential-group cell a
	// counted member heads (VillageHead), whether they are its secretary too.
	VillageHeads map[string]bool
}

// MemberTallier is a Reader that keeps a tally of each cell's members, as
// the embedded store can: breakdowns add them up instead of reading every
// member. Without it they read the members.
type MemberTallier interface {
	// CellTallies is the tally of each of cells on the view's date; nil
	// for a cell without members.
	CellTallies(ctx context.Context, v View, cells []string) ([]*MemberTally, error)
}

// Add counts member m as of date at.
func (t *MemberTally) Add(m *Member, at Date) { t.count(m, at, 1) }

// Remove takes back what Add(m, at) counted: a store keeping tallies
// replaces a member's old state by the new one.
func (t *MemberTally) Remove(m *Member, at Date) { t.count(m, at, -1) }

func (t *MemberTally) count(m *Member, at Date, n int) {
	t.Members += n
	t.Status[m.Status] += n
	t.Gender[m.Gender] += n
	t.Theory[m.Theory] += n
	t.AgeBand[ageBand(m.Personal.BirthDate, at)] += n
	if t.Ethnicity == nil {
		t.Ethnicity = map[string]int{}
	}
	if t.Ethnicity[m.Personal.Ethnicity] += n; t.Ethnicity[m.Personal.Ethnicity] == 0 {
		delete(t.Ethnicity, m.Personal.Ethnicity) // as if never counted
	}
	t.rate(m.Ratings, n)
	for _, r := range m.Roles {
		switch {
		case r.Role == VillageHead && n > 0:
			if t.VillageHeads == nil {
				t.VillageHeads = map[string]bool{}
			}
			t.VillageHeads[r.OrgID] = m.holds(Secretary, r.OrgID)
		case r.Role == VillageHead:
			delete(t.VillageHeads, r.OrgID)
		case r.Role != Secretary:
		case n > 0:
			if t.Secretaries == nil {
				t.Secretaries = map[string]bool{}
			}
			t.Secretaries[r.OrgID] = r.HeadOfUnit
		default:
			delete(t.Secretaries, r.OrgID)
		}
	}
}

func (t *MemberTally) rate(rs []YearRating, n int) {
	for _, r := range rs {
		if t.Ratings == nil {
			t.Ratings = map[int]*[NumGrades]int{}
		}
		g := t.Ratings[r.Year]
		if g == nil {
			g = new([NumGrades]int)
			t.Ratings[r.Year] = g
		}
		g[r.Grade] += n
	}
}

// Clone is a copy of t that shares nothing with it, for a write to change
// while readers still add up t.
func (t *MemberTally) Clone() *MemberTally {
	c := *t
	c.Ethnicity, c.Secretaries, c.VillageHeads = maps.Clone(t.Ethnicity), maps.Clone(t.Secretaries), maps.Clone(t.VillageHeads)
	c.Ratings = make(map[int]*[NumGrades]int, len(t.Ratings))
	for y, g := range t.Ratings {
		gc := *g
		c.Ratings[y] = &gc
	}
	return &c
}

// merge adds to t what o counts that a breakdown by by of year reads.
func (t *MemberTally) merge(o *MemberTally, by BreakdownBy, year int) {
	if o == nil {
		return
	}
	t.Members += o.Members
	add := func(dst, src []int) {
		for i, n := range src {
			dst[i] += n
		}
	}
	switch by {
	case BreakdownStatus:
		add(t.Status[:], o.Status[:])
	case BreakdownGender:
		add(t.Gender[:], o.Gender[:])
	case BreakdownTheory:
		add(t.Theory[:], o.Theory[:])
	case BreakdownAgeBand:
		add(t.AgeBand[:], o.AgeBand[:])
	case BreakdownEthnicity:
		if t.Ethnicity == nil {
			t.Ethnicity = map[string]int{}
		}
		for e, n := range o.Ethnicity {
			t.Ethnicity[e] += n
		}
	case BreakdownSecretaryHeads:
		if t.Secretaries == nil {
			t.Secretaries = map[string]bool{}
		}
		maps.Copy(t.Secretaries, o.Secretaries)
	case BreakdownVillageHeads:
		if t.VillageHeads == nil {
			t.VillageHeads = map[string]bool{}
		}
		maps.Copy(t.VillageHeads, o.VillageHeads)
	case BreakdownMemberRating:
		if g := o.Ratings[year]; g != nil {
			if t.Ratings == nil {
				t.Ratings = map[int]*[NumGrades]int{year: new([NumGrades]int)}
			}
			add(t.Ratings[year][:], g[:])
		}
	}
}

// rows are the breakdown by by (of year, for ratings) of what t counts.
func (t *MemberTally) rows(by BreakdownBy, year int) []BreakdownRow {
	switch by {
	case BreakdownStatus:
		return shareRows(statuses.names, statusLabels, t.Status[:], t.Members)
	case BreakdownGender:
		return shareRows(genders.names, genderLabels, t.Gender[:], t.Members)
	case BreakdownTheory:
		return shareRows(theories.names, theoryLabels, t.Theory[:], t.Members)
	case BreakdownAgeBand:
		keys, labels := []string{}, []string{}
		for _, b := range ageBands {
			keys, labels = append(keys, b.key), append(labels, b.label)
		}
		return shareRows(append(keys, unknownKey), append(labels, unknownLabel), t.AgeBand[:], t.Members)
	case BreakdownEthnicity:
		return ethnicityRows(t.Ethnicity, t.Members)
	}
	// Ratings: the grades' shares of those rated, as the party reports
	// them, and the unrated's share of everyone.
	var g [NumGrades]int
	if r := t.Ratings[year]; r != nil {
		g = *r
	}
	rated := 0
	for _, n := range g {
		rated += n
	}
	rows := shareRows(grades.names, gradeLabels, g[:], rated)
	return append(rows, BreakdownRow{Key: Unrated, Label: unratedLabel, Count: t.Members - rated, Share: share(t.Members-rated, t.Members)})
}

// ageBand is the index in ageBands of the age of someone born on birth as of
// date at; len(ageBands) when the birth date is unknown.
func ageBand(birth *Date, at Date) int {
	if birth == nil {
		return len(ageBands)
	}
	by, bm, bd := birth.civil()
	y, m, d := at.civil()
	age := y - by
	if m < bm || m == bm && d < bd {
		age--
	}
	i, _ := slices.BinarySearchFunc(ageBands[:], age, func(b ageBandOf, age int) int { return cmp.Compare(b.upTo, age) })
	return i
}

// shareRows makes rows of counts, each a share of base; rows with no count
// are kept, so that every breakdown of a kind lists the same keys.
func shareRows(keys, labels []string, counts []int, base int) []BreakdownRow {
	rows := make([]BreakdownRow, len(counts))
	for i, n := range counts {
		rows[i] = BreakdownRow{Key: keys[i], Label: labels[i], Count: n, Share: share(n, base)}
	}
	return rows
}

func share(n, base int) float64 {
	if base == 0 {
		return 0
	}
	return 100 * float64(n) / float64(base)
}

// ethnicityRows are Kinh first, then the other groups by count, most first,
// then by name; those with none recorded last.
func ethnicityRows(counts map[string]int, members int) []BreakdownRow {
	groups := make([]string, 0, len(counts))
	for g := range counts {
		groups = append(groups, g)
	}
	rank := func(g string) int {
		switch g {
		case "Kinh":
			return 0
		case "":
			return 2
		}
		return 1
	}
	slices.SortFunc(groups, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	rows := make([]BreakdownRow, len(groups))
	for i, g := range groups {
		key, label := g, g
		if g == "" {
			key, label = unknownKey, unknownLabel
		}
		rows[i] = BreakdownRow{Key: key, Label: label, Count: counts[g], Share: share(counts[g], members)}
	}
	return rows
}
