package demo

import (
	"cmp"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"dangbo/internal/org"
)

// province is the plan of one province: its district-level committees and
// the figures its generated tree must reproduce.
type province struct {
	name         string // "Đảng bộ tỉnh Quảng Ninh"
	place        string // "tỉnh Quảng Ninh", the end of every address
	since        org.Date
	capital      string // seat of the provincial blocs, a district key
	districts    []district
	probationary int         // members admitted within the year before the calendar's reference date
	ratings      *ratingPlan // nil: no ratings recorded
	cal          *calendar   // nil: defaultCalendar
	// history, if set, writes the province's history: it plans before the
	// leaders are elected (which it may steer) and runs once every record of
	// the plan is written.
	history func(*builder) chronicle
	present *presentPlan // nil: the province's records end with its history
}

// chronicle writes the history of one province.
type chronicle interface {
	prepare() // after the plan, before the records are written
	run()     // after every record of the plan is written
}

// calendar holds the dates a plan draws from. Quảng Ninh and Vĩnh Phúc are
// described on Reference; a province with a history is planned as it stood
// when its history begins.
type calendar struct {
	ref                       org.Date // the date the plan describes
	oldest                    org.Date // grassroots founded before are dated from here
	lastFounding              org.Date // latest founding of a grassroots organisation in the plan
	lastCell                  org.Date // latest founding of a cell in the plan
	linksFrom, linksUntil     org.Date // residence links start in this range
	congresses, congressesEnd org.Date // grassroots congresses of the term in force
}

var defaultCalendar = calendar{ref: Reference, oldest: oldest, lastFounding: lastFounding, lastCell: lastCell,
	linksFrom: rulesOf213, linksUntil: congressesEnd, congresses: congresses, congressesEnd: congressesEnd}

// district is the plan of one district-level committee: an administrative
// unit (its communes, wards and townships, then the district's own agencies
// and schools), or a bloc or armed-forces committee with its grassroots listed.
type district struct {
	key     string // short name, for seats: "Hạ Long"
	name    string // "Đảng bộ thành phố Hạ Long"
	place   string // "thành phố Hạ Long"; empty for a bloc
	sector  org.Sector
	former  string   // name before the unit took its present status, if it changed
	renamed org.Date // when it did
	hills   *hills   // ethnic mix of a mountain district; nil where nearly all are Kinh
	// flat: since the 2025 reform there is no district; the plan only groups
	// communes and wards, which sit directly under the province, and their
	// members live among them.
	flat  bool
	homes string   // what a ward's residential groups are called: "khu" or "tổ dân phố"
	since org.Date // when its committee was founded; zero: with the province

	// A plan may fix exactly how many village and residential-group cells its
	// communes, wards and townships hold; the other committees share the rest
	// of its cells.
	villages   int
	townHomes  string        // what a township's residential groups are called; empty: "khu"
	wardExtras []extra       // non-residential cells of each ward and township; nil: as communes
	style      *villageStyle // how villages are named; nil: thôn and bản

	wards, townships, communes []string
	commune                    []extra // non-residential cells of each commune; nil: defaultExtras
	units                      int     // district agencies and schools, taken from districtUnits
	grassroots                 []grassroots
	established                map[string]org.Date // grassroots founded on a given date, by name

	cells, members int
	crowded        bool         // its cells are larger than 30 members, as the articles imply
	figures        *blocFigures // exact figures the articles give for this committee
}

// grassroots is the plan of one grassroots organisation.
type grassroots struct {
	name   string
	kind   org.Kind // GrassrootsCommittee or GrassrootsCell
	sector org.Sector
	cells  namer   // a committee's cells
	weight float64 // committees: share of the district's cells; grassroots cells: relative size
	seat   string  // district key where its members live, when not the parent's own area
	since  org.Date
	head   float64 // chance that its secretary also heads the unit

	maxSize    int     // grassroots cells: most members it is planned with; zero: 29
	cellWeight float64 // committees: relative size of its cells; zero: 1
}

// blocFigures are the figures the source articles give for one district-level committee.
type blocFigures struct {
	theoryAtLeastIntermediate, theoryAdvanced int
	secretaryHeads                            int // grassroots organisations whose secretary heads the agency
}

// unit is one organisation of the tree being built.
type unit struct {
	id       string
	name     string
	kind     org.Kind
	sector   org.Sector
	since    org.Date
	former   string
	renamed  org.Date
	parent   *unit
	children []*unit
	area     *area  // where its working members live
	place    string // residential cells: the address of the village or group
	figures  *blocFigures
	head     float64

	// Cells and grassroots cells only.
	weight       float64
	minSize      int
	maxSize      int
	size         int
	probationary int
	first        int // index of its first member in Dataset.Members
}

// area is a district: the village and residential-group cells its people live in.
type area struct {
	place string // "thành phố Hạ Long, tỉnh Quảng Ninh"
	hills *hills
	homes []*unit
}

// builder builds one province into a Dataset from its own random stream, so
// that adding a province to the demo leaves the others as they were.
type builder struct {
	d       *Dataset
	r       *rand.Rand
	p       *province
	cal     calendar
	hist    chronicle
	rec     *recorder // runs the operations of its history, once the plan is written
	areas   map[string]*area
	root    *unit
	holders []*unit      // cells and grassroots cells in tree order
	leaders map[int]bool // members, by index, who are secretary or deputy of a grassroots organisation
	bits    io.Reader    // the seeded stream ids are drawn from
}

func newBuilder(d *Dataset, seed uint64, p *province) *builder {
	h := fnv.New64a()
	h.Write([]byte(p.name))
	b := &builder{d: d, r: rand.New(rand.NewPCG(seed, h.Sum64())), p: p, areas: map[string]*area{},
		leaders: map[int]bool{}, cal: defaultCalendar}
	b.bits = randomBits{b.r}
	if p.cal != nil {
		b.cal = *p.cal
	}
	return b
}

func (b *builder) build() {
	b.plan()
	if b.p.history != nil {
		b.hist = b.p.history(b)
		b.hist.prepare()
	}
	firstOrg, firstMember := len(b.d.Orgs), len(b.d.Members)
	b.emitOrgs(b.root)
	for _, u := range b.holders {
		b.addMembers(u)
	}
	b.assignRoles(b.root)
	for _, d := range b.root.children {
		if d.figures != nil {
			b.applyTheory(d)
		}
	}
	if b.p.ratings != nil {
		b.p.ratings.apply(b.r, b.d.Orgs[firstOrg:], b.d.Members[firstMember:])
	}
	if b.hist == nil && b.p.present == nil {
		return
	}
	b.rec = newRecorder(b, firstOrg, firstMember)
	if b.hist != nil {
		b.hist.run()
	}
	if b.p.present != nil {
		b.liveOn(firstMember)
	}
}

// Dates every plan draws from.
var (
	oldest        = org.DateFrom(1976, time.January, 1)   // grassroots founded before are dated from here
	lastFounding  = org.DateFrom(2015, time.December, 31) // latest founding of a grassroots organisation in the plan
	lastCell      = org.DateFrom(2018, time.December, 31)
	rulesOf213    = org.DateFrom(2020, time.January, 2) // Quy định 213-QĐ/TW on residence links
	congresses    = org.DateFrom(2020, time.March, 1)   // 2020–2025 grassroots congresses
	congressesEnd = org.DateFrom(2020, time.July, 31)
)

// date is a uniformly drawn date in [lo, hi]; lo when hi < lo.
func (b *builder) date(lo, hi org.Date) org.Date {
	if hi <= lo {
		return lo
	}
	return lo + org.Date(b.r.IntN(int(hi-lo)+1))
}

// chance reports true with probability p.
func (b *builder) chance(p float64) bool { return b.r.Float64() < p }

// jitter scales w by a factor drawn from [0.6, 1.4).
func (b *builder) jitter(w float64) float64 { return w * (0.6 + 0.8*b.r.Float64()) }

// id is a new id drawn from the seeded stream.
func (b *builder) id(prefix string) string { return org.NewIDFrom(prefix, b.bits) }

// randomBits reads the seeded stream as bytes.
type randomBits struct{ r *rand.Rand }

func (s randomBits) Read(p []byte) (int, error) {
	var x uint64
	for i := range p {
		if i%8 == 0 {
			x = s.r.Uint64()
		}
		p[i] = byte(x >> (8 * (i % 8)))
	}
	return len(p), nil
}

// plan lays out the province's tree: every organisation with its size.
func (b *builder) plan() {
	p := b.p
	b.root = &unit{name: p.name, kind: org.Province, since: p.since}
	for i := range p.districts {
		b.planDistrict(&p.districts[i])
	}
	b.spreadProbationary()
}

// areaOf is the district with that key, made on first mention: a bloc's unit
// may sit in a district planned after it.
func (b *builder) areaOf(key string) *area {
	a := b.areas[key]
	if a == nil {
		a = &area{}
		b.areas[key] = a
	}
	return a
}

func (b *builder) planDistrict(d *district) {
	a := b.areaOf(d.key)
	if d.place != "" {
		a.place = d.place + ", " + b.p.place
	}
	if d.place != "" || d.flat {
		a.hills = d.hills
	}
	du := b.root
	if !d.flat {
		du = &unit{name: d.name, kind: org.District, sector: d.sector, since: cmp.Or(d.since, b.p.since), former: d.former,
			renamed: d.renamed, parent: b.root, area: a, figures: d.figures}
		b.root.children = append(b.root.children, du)
	}

	var committees, made []*unit
	var namers []namer
	var cellWeights []float64
	for _, g := range b.grassrootsOf(d) {
		u := &unit{name: g.name, kind: g.kind, sector: g.sector, parent: du, area: a, head: g.head,
			weight: g.weight, since: g.since}
		if g.kind == org.GrassrootsCell {
			u.minSize, u.maxSize = 5, 29 // from 30 members it would be a committee (R2)
			if g.maxSize > 0 {
				u.maxSize = g.maxSize
			}
		}
		if g.seat != "" {
			u.area = b.areaOf(g.seat)
		} else if d.place == "" && !d.flat {
			u.area = b.areaOf(b.p.capital)
		}
		if u.since == 0 {
			u.since = b.date(max(du.since, b.cal.oldest), b.cal.lastFounding)
		}
		du.children = append(du.children, u)
		made = append(made, u)
		if g.kind == org.GrassrootsCommittee {
			committees = append(committees, u)
			namers = append(namers, g.cells)
			cellWeights = append(cellWeights, cmp.Or(g.cellWeight, 1))
		}
	}

	var counts []int
	if d.villages > 0 {
		counts = b.splitCells(d, committees, namers)
	} else {
		weights := make([]float64, len(committees))
		lo := make([]int, len(committees))
		for i, u := range committees {
			weights[i], lo[i] = b.jitter(u.weight), namers[i].min()
		}
		counts = apportion(d.cells, weights, lo, nil)
	}
	for i, n := range counts {
		b.planCells(committees[i], namers[i], n, d.crowded, cellWeights[i])
	}

	var holders []*unit
	for _, g := range made {
		walk(g, func(u *unit) {
			if u.kind.HoldsMembers() {
				holders = append(holders, u)
			}
		})
	}
	weights := make([]float64, len(holders))
	lo, hi := make([]int, len(holders)), make([]int, len(holders))
	for i, u := range holders {
		weights[i], lo[i], hi[i] = b.jitter(u.weight*sectorSize[u.sector]), u.minSize, u.maxSize
	}
	for i, n := range apportion(d.members, weights, lo, hi) {
		holders[i].size = n
	}
	b.holders = append(b.holders, holders...)
}

// splitCells gives a district with a fixed number of villages its cells: the
// villages are shared among its communes, wards and townships (three at
// least each), which also have their extras; the other committees share the
// cells left.
func (b *builder) splitCells(d *district, committees []*unit, namers []namer) []int {
	counts := make([]int, len(committees))
	var homes, others []int
	for i, nm := range namers {
		if _, ok := nm.(*commune); ok {
			homes = append(homes, i)
		} else {
			others = append(others, i)
		}
	}
	weights := make([]float64, len(homes))
	lo := make([]int, len(homes))
	for k, i := range homes {
		weights[k], lo[k] = b.jitter(committees[i].weight), 3
	}
	rest := d.cells
	for k, n := range apportion(d.villages, weights, lo, nil) {
		i := homes[k]
		counts[i] = len(namers[i].(*commune).extras) + n
		rest -= counts[i]
	}
	weights = make([]float64, len(others))
	lo = make([]int, len(others))
	for k, i := range others {
		weights[k], lo[k] = b.jitter(committees[i].weight), namers[i].min()
	}
	for k, n := range apportion(rest, weights, lo, nil) {
		counts[others[k]] = n
	}
	return counts
}

// grassrootsOf lists a district's grassroots organisations: a bloc's own list,
// or an administrative unit's communes, wards and townships and then its agencies.
func (b *builder) grassrootsOf(d *district) []grassroots {
	var gs []grassroots
	extras := d.commune
	if extras == nil {
		extras = defaultExtras
	}
	for _, c := range []struct {
		names  []string
		word   string
		sector org.Sector
	}{{d.wards, "phường", org.SectorWard}, {d.townships, "thị trấn", org.SectorTownship}, {d.communes, "xã", org.SectorCommune}} {
		ex := extras
		if c.word != "xã" && d.wardExtras != nil {
			ex = d.wardExtras
		}
		for _, name := range c.names {
			gs = append(gs, grassroots{name: "Đảng bộ " + c.word + " " + name, kind: org.GrassrootsCommittee,
				sector: c.sector, cells: b.communeNamer(d, c.word, name, ex), weight: 1, head: 0.3})
		}
	}
	if d.units > 0 {
		gs = append(gs, districtGrassroots(d)...)
	}
	gs = append(gs, d.grassroots...)
	for i := range gs {
		if since, ok := d.established[gs[i].name]; ok {
			gs[i].since = since
		}
	}
	return gs
}

// Cells hold at most 30 members, the size above which the superior must
// approve (R3); a few have that approval, and so do all in a crowded district.
const (
	cellCap      = 30
	bigCellCap   = 60
	bigCellShare = 0.03
)

// planCells gives committee u its n cells, under partial committees where the
// namer groups them.
func (b *builder) planCells(u *unit, nm namer, n int, crowded bool, weight float64) {
	partials := map[string]*unit{}
	for _, c := range nm.cells(b, n) {
		parent := u
		if c.partial != "" {
			if partials[c.partial] == nil {
				pc := &unit{name: c.partial, kind: org.PartialCommittee, sector: u.sector, parent: u,
					area: u.area, since: b.date(u.since, max(u.since, b.cal.lastCell))}
				partials[c.partial] = pc
				u.children = append(u.children, pc)
			}
			parent = partials[c.partial]
		}
		cell := &unit{name: c.name, kind: org.Cell, sector: c.sector, parent: parent, area: u.area,
			place: c.place, weight: weight, minSize: max(4, int(math.Ceil(32/float64(n)))), maxSize: cellCap,
			since: b.date(parent.since, max(parent.since, b.cal.lastCell)), head: c.head}
		if crowded || b.chance(bigCellShare) {
			cell.maxSize = bigCellCap
		}
		parent.children = append(parent.children, cell)
		if c.sector.IsResidential() {
			u.area.homes = append(u.area.homes, cell)
		}
	}
}

// spreadProbationary decides how many members of each holder are still on
// probation, leaving every cell at least 3 official members (R1).
func (b *builder) spreadProbationary() {
	weights := make([]float64, len(b.holders))
	lo, hi := make([]int, len(b.holders)), make([]int, len(b.holders))
	for i, u := range b.holders {
		weights[i], hi[i] = b.jitter(float64(u.size)), u.size-3
	}
	for i, n := range apportion(b.p.probationary, weights, lo, hi) {
		b.holders[i].probationary = n
	}
}

// walk visits u and its subtree, parents first.
func walk(u *unit, visit func(*unit)) {
	visit(u)
	for _, c := range u.children {
		walk(c, visit)
	}
}

// emitOrgs gives each organisation its id and record, parents first.
func (b *builder) emitOrgs(u *unit) {
	u.id = b.id("o")
	var parentID string
	if u.parent != nil {
		parentID = u.parent.id
	}
	v := org.Version{Span: org.Span{Since: u.since, Until: org.Forever}, ParentID: parentID, Name: u.name,
		Kind: u.kind, Sector: u.sector}
	versions := []org.Version{v}
	if u.former != "" {
		old := v
		old.Until, old.Name = u.renamed, u.former
		versions[0].Since = u.renamed
		versions = []org.Version{old, versions[0]}
	}
	b.d.Orgs = append(b.d.Orgs, org.OrgRecord{ID: u.id, Versions: versions})
	for _, c := range u.children {
		b.emitOrgs(c)
	}
}

// apportion splits total into parts in proportion to weights, part i between
// lo[i] and hi[i] (no upper bound when hi is nil). It panics when the bounds
// cannot be met: only a wrong figure in this package's plans can cause that.
func apportion(total int, weights []float64, lo, hi []int) []int {
	n := slices.Clone(lo)
	rest := total
	for _, v := range lo {
		rest -= v
	}
	room := func(i int) int {
		if hi == nil {
			return math.MaxInt
		}
		return hi[i] - n[i]
	}
	if rest < 0 {
		panic("demo: plan gives fewer than the minimum")
	}
	for rest > 0 {
		var open []int
		var w float64
		for i := range n {
			if room(i) > 0 {
				open = append(open, i)
				w += weights[i]
			}
		}
		if len(open) == 0 {
			panic("demo: plan gives more than the maximum")
		}
		given := 0
		for _, i := range open {
			k := min(int(float64(rest)*weights[i]/w), room(i), rest-given) // rounding may overshoot
			n[i] += k
			given += k
		}
		if given == 0 {
			// Fewer units left than parts: one each to the heaviest.
			slices.SortStableFunc(open, func(a, c int) int { return cmp.Compare(weights[c], weights[a]) })
			for _, i := range open[:min(rest, len(open))] {
				n[i]++
				given++
			}
		}
		rest -= given
	}
	return n
}
