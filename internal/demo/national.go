package demo

import (
	"context"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangbo/internal/org"
)

// The national demo: the party of the whole country since the reform of 1
// July 2025, when provinces merged into 34 and districts were abolished, its
// new communes and wards reporting straight to the province. Province names,
// their numbers of wards and communes and their populations are real (rounded);
// commune names and people are not. About 5.5 million members at scale 1,
// shared among the provinces by population, with the demo's people, cells,
// roles and ratings, and the history from the reform to End written by the
// domain's operations at a sample's rate, from when the congresses of the
// new communes were over and residence links registered (October 2025).

// Reform is the day the two-level local government began.
var Reform = org.DateFrom(2025, time.July, 1)

// NationalMembers is about how many members the national demo holds at scale 1.
const NationalMembers = 5_500_000

var nationalCalendar = calendar{ref: Reform, oldest: Reform, lastFounding: Reform, lastCell: Reform,
	linksFrom: Reform, linksUntil: org.DateFrom(2025, time.September, 30),
	congresses: org.DateFrom(2025, time.July, 15), congressesEnd: org.DateFrom(2025, time.August, 31)}

// nationalProvince is one of the 34 provinces and cities of 2025.
type nationalProvince struct {
	name            string
	city            bool    // a centrally governed city (thành phố)
	people          float64 // millions
	wards, communes int
	hills           *hills
}

var (
	northHills   = &hills{0.6, []string{"Tày", "Tày", "Tày", "Nùng", "Nùng", "Dao", "Dao", "Mông"}}
	northWest    = &hills{0.75, []string{"Thái", "Thái", "Thái", "Thái", "Mông", "Mông", "Mông", "Dao", "Khơ Mú"}}
	centralHills = &hills{0.4, []string{"Gia Rai", "Gia Rai", "Ba Na", "Ba Na", "Xơ Đăng", "Ê Đê"}}
	mekong       = &hills{0.08, []string{"Khmer"}}
)

// nationalProvinces are the provinces and cities from 1 July 2025, north to south.
var nationalProvinces = []nationalProvince{
	{"Hà Nội", true, 8.7, 51, 75, nil},
	{"Cao Bằng", false, 0.55, 3, 53, northHills},
	{"Tuyên Quang", false, 1.9, 7, 117, northHills},
	{"Lào Cai", false, 1.8, 10, 89, northWest},
	{"Điện Biên", false, 0.64, 3, 42, northWest},
	{"Lai Châu", false, 0.49, 2, 36, northWest},
	{"Sơn La", false, 1.3, 8, 67, northWest},
	{"Thái Nguyên", false, 1.8, 15, 77, northHills},
	{"Lạng Sơn", false, 0.8, 4, 61, northHills},
	{"Quảng Ninh", false, 1.4, 30, 22, nil},
	{"Phú Thọ", false, 4.0, 15, 133, nil},
	{"Bắc Ninh", false, 3.6, 33, 66, nil},
	{"Hải Phòng", true, 4.7, 45, 67, nil},
	{"Hưng Yên", false, 3.6, 11, 93, nil},
	{"Ninh Bình", false, 4.4, 32, 97, nil},
	{"Thanh Hóa", false, 3.8, 19, 147, nil},
	{"Nghệ An", false, 3.5, 11, 119, nil},
	{"Hà Tĩnh", false, 1.3, 9, 60, nil},
	{"Quảng Trị", false, 1.9, 8, 69, nil},
	{"Huế", true, 1.2, 19, 21, nil},
	{"Đà Nẵng", true, 3.1, 23, 70, nil},
	{"Quảng Ngãi", false, 2.2, 9, 86, centralHills},
	{"Gia Lai", false, 3.6, 25, 110, centralHills},
	{"Khánh Hòa", false, 2.2, 16, 48, nil},
	{"Đắk Lắk", false, 3.3, 14, 88, centralHills},
	{"Lâm Đồng", false, 3.9, 20, 103, nil},
	{"Đồng Nai", false, 4.5, 23, 72, nil},
	{"Tây Ninh", false, 3.3, 14, 82, nil},
	{"Hồ Chí Minh", true, 14.0, 113, 54, nil},
	{"Đồng Tháp", false, 4.4, 20, 82, nil},
	{"An Giang", false, 4.9, 14, 85, mekong},
	{"Vĩnh Long", false, 4.3, 19, 105, mekong},
	{"Cần Thơ", true, 4.2, 31, 72, mekong},
	{"Cà Mau", false, 2.6, 9, 55, mekong},
}

// Family names of the peoples the national demo adds to those of Quảng Ninh
// and Kon Tum.
func init() {
	minorityFamilies["Thái"] = []string{"Lò", "Lò", "Cầm", "Quàng", "Lường", "Tòng", "Vì", "Điêu"}
	minorityFamilies["Mông"] = []string{"Giàng", "Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hờ", "Mùa"}
	minorityFamilies["Nùng"] = []string{"Hoàng", "Nông", "Lương", "Vi", "Lăng", "Triệu"}
	minorityFamilies["Khơ Mú"] = []string{"Lò", "Vi", "Quàng", "Cà"}
	minorityFamilies["Khmer"] = []string{"Thạch", "Thạch", "Danh", "Kim", "Sơn", "Lâm", "Châu"}
	minorityFamilies["Ê Đê"] = []string{"Niê", "Niê", "Mlô", "Ayun", "Byă", "Êban", "Hđơk"}
}

// Syllables the generated commune names are made of.
var (
	communeFirst = []string{"An", "Bình", "Tân", "Phú", "Hòa", "Long", "Vĩnh", "Thạnh", "Đông", "Tây", "Nam", "Bắc",
		"Xuân", "Hưng", "Quang", "Minh", "Trung", "Thanh", "Hồng", "Kim", "Phước", "Mỹ", "Hiệp", "Thuận", "Đức",
		"Lộc", "Hải", "Sơn", "Cẩm", "Yên", "Vạn", "Thái", "Gia", "Lạc", "Cát", "Ngọc", "Quảng", "Đại", "Tiên", "Hoài"}
	communeSecond = []string{"An", "Bình", "Phú", "Hòa", "Long", "Lợi", "Thịnh", "Thành", "Hưng", "Lộc", "Phong",
		"Tiến", "Lâm", "Sơn", "Hà", "Giang", "Xuyên", "Trạch", "Định", "Khánh", "Quý", "Mỹ", "Đông", "Tây", "Trung",
		"Hiệp", "Thọ", "Hải", "Điền", "Nguyên", "Phước", "Thắng", "Hội", "Châu", "Dương", "Kiều", "Ninh", "Văn"}
)

// Shares of a province's members in its communes and wards and in each of
// its four province-level committees.
const (
	communeShare    = 0.60
	agenciesShare   = 0.05
	governmentShare = 0.17
	militaryShare   = 0.06
	policeShare     = 0.12
)

// nationalPlan is the plan of province i at scale.
func nationalPlan(seed uint64, i int, scale float64) *province {
	np := nationalProvinces[i]
	total := 0.0
	for _, q := range nationalProvinces {
		total += q.people
	}
	members := int(math.Round(NationalMembers * scale * np.people / total))
	word := "tỉnh"
	if np.city {
		word = "thành phố"
	}
	place := word + " " + np.name
	h := fnv.New64a()
	h.Write([]byte("national " + np.name))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))

	// Fewer communes than there are when the scale leaves them too few members.
	inCommunes := int(communeShare * float64(members))
	units := min(np.wards+np.communes, max(2, inCommunes/300))
	wards := int(math.Round(float64(units) * float64(np.wards) / float64(np.wards+np.communes)))
	names := communeNames(r, units)
	p := &province{name: "Đảng bộ " + place, place: place, since: Reform, cal: &nationalCalendar,
		probationary: members * 12 / 1000,
		ratings:      &ratingPlan{year: Reform.Year() - 1, memberShares: [org.NumGrades]float64{0.17, 0.745, 0.08, 0.005}},
		present: &presentPlan{from: nationalCalendar.linksUntil.AddDays(1), admissions: members * 4 / 1000, deaths: members * 15 / 10000,
			transfers: max(2, members*8/10000)}}

	// The communes and wards, in groups of eight as the districts they replaced:
	// where the members of the province's committees live, near their work.
	const group = 8
	var police []grassroots
	var schools []grassroots
	for k := 0; k*group < units; k++ {
		key := "khu vực " + strconv.Itoa(k+1)
		d := district{key: key, flat: true, hills: np.hills, homes: "tổ dân phố"}
		for j := k * group; j < min(units, (k+1)*group); j++ {
			w := "xã"
			if j < wards {
				d.wards, w = append(d.wards, names[j]), "phường"
			} else {
				d.communes = append(d.communes, names[j])
			}
			police = append(police, gcell("Công an "+w+" "+names[j], org.SectorArmedForces, 0.6, key))
			if j%3 == 0 {
				schools = append(schools, gcell("Trường THPT "+names[j], org.SectorSchool, 0.8, key))
			}
		}
		n := len(d.wards) + len(d.communes)
		d.cells = max(inCommunes*n/units/20, n*(len(defaultExtras)+4))
		d.members = max(inCommunes*n/units, d.cells*4) // cells of 4 members at least
		p.districts = append(p.districts, d)
	}
	p.capital = p.districts[0].key

	bloc := func(name string, sector org.Sector, share float64, gs []grassroots) district {
		m := int(share * float64(members))
		// Keep as many of its organisations as its members can fill.
		keep := max(2, min(len(gs), m/120))
		gs = gs[:keep]
		least, fewest := 0, 0 // cells, members
		for _, g := range gs {
			if g.kind == org.GrassrootsCommittee {
				least += g.cells.min()
				fewest += 40 // cells of at least 4, and 32 in all (see planCells)
			} else {
				fewest += 6
			}
		}
		m = max(m, fewest)
		return district{key: name, name: "Đảng bộ " + name + " " + place, sector: sector, grassroots: gs,
			members: m, cells: max(m/22, least+len(gs))}
	}
	fillAll := func(gs []grassroots) []grassroots {
		for i := range gs {
			gs[i].name = fill(gs[i].name, place)
		}
		return gs
	}
	p.districts = append(p.districts,
		bloc("các cơ quan Đảng", org.SectorBloc, agenciesShare, fillAll([]grassroots{
			gc("Cơ quan Ủy ban Mặt trận Tổ quốc Việt Nam {}", org.SectorAgency, partyAgencies, 3, ""),
			gc("Văn phòng và các ban của cấp ủy {}", org.SectorAgency, provincialAgency, 2, ""),
			gcell("Trường Chính trị {}", org.SectorPublicService, 1, ""),
			gcell("Báo và Phát thanh, Truyền hình {}", org.SectorPublicService, 1, ""),
			gcell("Tòa án nhân dân {}", org.SectorAgency, 1, ""),
			gcell("Viện Kiểm sát nhân dân {}", org.SectorAgency, 1, ""),
			gcell("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân {}", org.SectorAgency, 0.8, ""),
		})),
		bloc("Ủy ban nhân dân", org.SectorBloc, governmentShare, append(fillAll([]grassroots{
			gc("Bệnh viện Đa khoa {}", org.SectorHealth, hospital, 3, ""),
			gc("Sở Giáo dục và Đào tạo {}", org.SectorAgency, provincialAgency, 1.5, ""),
			gc("Sở Nông nghiệp và Môi trường {}", org.SectorAgency, provincialAgency, 1.5, ""),
			gc("Sở Tài chính {}", org.SectorAgency, provincialAgency, 1.2, ""),
			gc("Sở Y tế {}", org.SectorAgency, provincialAgency, 1, ""),
			gc("Sở Xây dựng {}", org.SectorAgency, provincialAgency, 1, ""),
			gc("Sở Công Thương {}", org.SectorAgency, provincialAgency, 1, ""),
			gc("Sở Nội vụ {}", org.SectorAgency, provincialAgency, 1, ""),
			gc("Trường Cao đẳng {}", org.SectorSchool, college, 1, ""),
			gc("Công ty Điện lực {}", org.SectorEnterprise, enterprise, 1.2, ""),
			gc("Sở Văn hóa, Thể thao và Du lịch {}", org.SectorAgency, provincialAgency, 0.8, ""),
			gc("Sở Khoa học và Công nghệ {}", org.SectorAgency, provincialAgency, 0.6, ""),
			gcell("Văn phòng Ủy ban nhân dân {}", org.SectorAgency, 1, ""),
			gcell("Sở Tư pháp {}", org.SectorAgency, 1, ""),
			gcell("Thanh tra {}", org.SectorAgency, 1, ""),
			gcell("Trung tâm Phục vụ hành chính công {}", org.SectorPublicService, 0.8, ""),
			gcell("Ban Quản lý dự án đầu tư xây dựng {}", org.SectorPublicService, 0.8, ""),
		}), schools...)),
		bloc("Quân sự", org.SectorArmedForces, militaryShare, append(fillAll([]grassroots{
			gc("Cơ quan Bộ Chỉ huy Quân sự {}", org.SectorArmedForces, military, 2, ""),
			gc("Trung đoàn bộ binh {}", org.SectorArmedForces, military, 2, ""),
		}), defenceAreas(len(p.districts))...)),
		bloc("Công an", org.SectorArmedForces, policeShare, append(fillAll([]grassroots{
			gc("Phòng Tham mưu Công an {}", org.SectorArmedForces, policeDepartment, 1, ""),
			gc("Phòng An ninh chính trị nội bộ Công an {}", org.SectorArmedForces, policeDepartment, 1, ""),
			gc("Phòng Cảnh sát hình sự Công an {}", org.SectorArmedForces, policeDepartment, 1, ""),
			gc("Phòng Cảnh sát giao thông Công an {}", org.SectorArmedForces, policeDepartment, 1.5, ""),
			gc("Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ Công an {}", org.SectorArmedForces, policeDepartment, 1.5, ""),
		}), police...)),
	)
	return p
}

// defenceAreas are the defence-area commands (Ban Chỉ huy Phòng thủ khu vực),
// one to each group of communes, seated among them.
func defenceAreas(groups int) []grassroots {
	out := make([]grassroots, groups)
	for k := range out {
		out[k] = gc("Ban Chỉ huy Phòng thủ khu vực "+strconv.Itoa(k+1), org.SectorArmedForces, military, 1,
			"khu vực "+strconv.Itoa(k+1))
	}
	return out
}

// communeNames draws n distinct two-syllable names.
func communeNames(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		a, b := communeFirst[r.IntN(len(communeFirst))], communeSecond[r.IntN(len(communeSecond))]
		if name := a + " " + b; a != b && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// leadBits is the seeded stream with every id's first byte fixed: the
// province's index, so that the national demo's member ids sort by province
// and each province reaches the store in key order (see National).
type leadBits struct {
	lead byte
	r    *rand.Rand
}

func (s leadBits) Read(p []byte) (int, error) {
	randomBits{s.r}.Read(p)
	p[0] = s.lead
	return len(p), nil
}

// buildNational builds province i of the national demo.
func buildNational(seed uint64, i int, scale float64) *Dataset {
	p := nationalPlan(seed, i, scale)
	members := 0
	for _, d := range p.districts {
		members += d.members
	}
	years := float64(End-p.present.from) / 365
	d := &Dataset{Members: make([]org.MemberRecord, 0, members+int(years*float64(p.present.admissions))+1)}
	b := newBuilder(d, seed, p)
	b.bits = leadBits{lead: byte(i * 7), r: b.r}
	b.build()
	return d
}

// National yields the national demo at scale (1: about NationalMembers
// members) for an import: organisations, then members in id order, then the
// history. No more than a few provinces' members are in memory at once: each
// province is built twice, once for its organisations and history (which
// changes their records: ratings) and once more, the same, for its members
// while the store takes the province before.
func National(ctx context.Context, seed uint64, scale float64) org.RecordReader {
	n := len(nationalProvinces)
	parts := make([]*Dataset, n)
	forEach(n, func(i int) {
		if ctx.Err() != nil {
			return
		}
		d := buildNational(seed, i, scale)
		d.Members = nil
		parts[i] = d
	})
	r := &nationalReader{ctx: ctx, members: make([]chan []org.MemberRecord, n)}
	if ctx.Err() != nil {
		return r
	}
	for _, d := range parts {
		r.orgs = append(r.orgs, d.Orgs...)
		r.changes = append(r.changes, d.Changes...)
	}
	numberChanges(r.changes)
	// The members are built again in the background, two provinces ahead.
	ahead := make(chan struct{}, 2)
	for i := range r.members {
		r.members[i] = make(chan []org.MemberRecord, 1)
	}
	go func() {
		for i := range n {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				ms := buildNational(seed, i, scale).Members
				slices.SortFunc(ms, func(a, b org.MemberRecord) int { return strings.Compare(a.ID, b.ID) })
				r.members[i] <- ms
			}()
		}
	}()
	r.ahead = ahead
	return r
}

// forEach runs fn(0) … fn(n-1) on every core.
func forEach(n int, fn func(i int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	done := make(chan struct{})
	workers := runtime.GOMAXPROCS(0)
	for range workers {
		go func() {
			for i := range next {
				fn(i)
			}
			done <- struct{}{}
		}()
	}
	for range workers {
		<-done
	}
}

type nationalReader struct {
	ctx      context.Context // ends the building and the reading
	orgs     []org.OrgRecord
	changes  []org.Change
	members  []chan []org.MemberRecord
	ahead    chan struct{}
	province int // whose members are being read
	current  []org.MemberRecord
	next     int // in the list being read
	stage    int // 0 organisations, 1 members, 2 changes
}

func (r *nationalReader) Read() (org.Record, error) {
	for {
		if err := r.ctx.Err(); err != nil {
			return org.Record{}, err
		}
		switch r.stage {
		case 0:
			if r.next < len(r.orgs) {
				r.next++
				return org.Record{Org: &r.orgs[r.next-1]}, nil
			}
			r.orgs, r.next, r.stage = nil, 0, 1
		case 1:
			if r.next < len(r.current) {
				r.next++
				return org.Record{Member: &r.current[r.next-1]}, nil
			}
			if r.province == len(r.members) {
				r.current, r.next, r.stage = nil, 0, 2
				continue
			}
			select {
			case r.current = <-r.members[r.province]:
			case <-r.ctx.Done():
				return org.Record{}, r.ctx.Err()
			}
			r.next = 0
			r.province++
			<-r.ahead // the province after next may be built
		case 2:
			if r.next < len(r.changes) {
				r.next++
				return org.Record{Change: &r.changes[r.next-1]}, nil
			}
			r.changes = nil
			return org.Record{}, io.EOF
		}
	}
}
