package demo

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"dangbo/internal/org"
)

// cellSpec is one cell a namer plans.
type cellSpec struct {
	name    string
	sector  org.Sector
	place   string  // village and residential-group cells: their address
	partial string  // name of the partial committee it sits under, if any
	head    float64 // chance that its secretary also heads the unit (village head, head of department)
}

// namer names and classifies the cells of one grassroots committee.
type namer interface {
	min() int // fewest cells the committee can have
	cells(b *builder, n int) []cellSpec
}

// extra is a cell every commune has besides its villages or residential groups;
// "{}" in the name stands for the commune's name.
type extra struct {
	name   string
	sector org.Sector
}

var defaultExtras = []extra{
	{"Chi bộ Trường Mầm non {}", org.SectorSchool},
	{"Chi bộ Trường Tiểu học {}", org.SectorSchool},
	{"Chi bộ Trường THCS {}", org.SectorSchool},
	{"Chi bộ Trạm Y tế", org.SectorHealth},
	{"Chi bộ Cơ quan", org.SectorAgency},
	{"Chi bộ Quân sự", org.SectorArmedForces},
}

// fill puts s where a pattern has "{}".
func fill(pattern, s string) string { return strings.ReplaceAll(pattern, "{}", s) }

// commune names the cells of a commune, ward or township committee: its
// extras, then one cell per village or residential group.
type commune struct {
	word, name string // "xã", "Tam Hồng"
	place      string // "xã Tam Hồng, huyện Yên Lạc, tỉnh Vĩnh Phúc"
	homes      string // residential groups of a ward: "khu" or "tổ dân phố"
	townHomes  string // residential groups of a township: "khu" or "tổ dân phố"
	hills      *hills
	style      *villageStyle
	extras     []extra
}

func (b *builder) communeNamer(d *district, word, name string, extras []extra) namer {
	place := word + " " + name + ", " + d.place + ", " + b.p.place
	if d.place == "" {
		place = word + " " + name + ", " + b.p.place
	}
	return &commune{word: word, name: name, place: place,
		homes: d.homes, townHomes: cmp.Or(d.townHomes, "khu"), hills: d.hills, style: d.style, extras: extras}
}

// Three homes at least: a commune without villages would have no one living in it.
func (c *commune) min() int { return len(c.extras) + 3 }

func (c *commune) cells(b *builder, n int) []cellSpec {
	out := make([]cellSpec, 0, n)
	for _, e := range c.extras {
		out = append(out, cellSpec{name: fill(e.name, c.name), sector: e.sector, head: 0.5})
	}
	for _, home := range c.homeNames(b, n-len(c.extras)) {
		sector := org.SectorVillage
		if c.word != "xã" {
			sector = org.SectorResidentialGroup
		}
		out = append(out, cellSpec{name: "Chi bộ " + home, sector: sector, head: 0.3,
			place: strings.ToUpper(home[:1]) + home[1:] + ", " + c.place})
	}
	return out
}

// homeNames names n villages ("thôn Đồng Tâm", "bản Khe Tiền") or residential
// groups ("khu 3", "tổ dân phố 3"). Residential groups are numbered; villages
// take distinct names, mostly bản in the hills.
func (c *commune) homeNames(b *builder, n int) []string {
	names := make([]string, n)
	switch {
	case c.word == "thị trấn":
		numbered(names, c.townHomes)
	case c.word == "phường":
		numbered(names, c.homes)
	case c.style != nil:
		c.style.name(b, names, c.hills)
	case n > len(villageNames) || n > len(hamletNames):
		numbered(names, "thôn")
	default:
		lowland, upland := b.pick(villageNames, n), b.pick(hamletNames, n)
		for i := range names {
			if c.hills != nil && b.chance(c.hills.share) {
				names[i] = "bản " + upland[i]
			} else {
				names[i] = "thôn " + lowland[i]
			}
		}
	}
	return names
}

// villageStyle names the villages of a highland province: the villages of
// the minorities (làng or thôn with their own names), and the numbered thôn
// of later settlers.
type villageStyle struct {
	names []string // names of the minorities' villages
	lang  float64  // share of those called làng rather than thôn
}

func (s *villageStyle) name(b *builder, names []string, h *hills) {
	share := 0.0
	if h != nil {
		share = h.share
	}
	own := 0
	for i := range names {
		if b.chance(share) && own < len(s.names) {
			names[i] = "" // named below
			own++
		} else {
			names[i] = "thôn"
		}
	}
	picked := b.pick(s.names, own)
	b.r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	number := 0
	for i := range names {
		if names[i] == "" {
			word := "thôn "
			if b.chance(s.lang) {
				word = "làng "
			}
			names[i], picked = word+picked[0], picked[1:]
		} else {
			number++
			names[i] = "thôn " + strconv.Itoa(number)
		}
	}
}

func numbered(names []string, word string) {
	for i := range names {
		names[i] = word + " " + strconv.Itoa(i+1)
	}
}

// pick draws n distinct entries of list, in list order so that villages keep
// a stable, readable order.
func (b *builder) pick(list []string, n int) []string {
	idx := b.r.Perm(len(list))[:n]
	out := make([]string, 0, n)
	for i, s := range list {
		for _, j := range idx {
			if j == i {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// profile names the cells of an agency, unit or enterprise committee: its
// fixed departments first, then numbered ones.
type profile struct {
	least    int // fewest cells; at least 3
	sector   org.Sector
	fixed    []string // departments every such organisation has, in the order they are taken
	numbered []string // patterns with "{}" for a number, taken in turn
	partials []string // in a large committee, the partial committee that groups each numbered pattern's cells
}

// Committees from this many cells up group their numbered cells in partial committees.
const partialFrom = 24

func (p *profile) min() int { return max(3, p.least) }

func (p *profile) cells(_ *builder, n int) []cellSpec {
	out := make([]cellSpec, 0, n)
	for i := 0; len(out) < n; i++ {
		c := cellSpec{sector: p.sector, head: 0.5}
		if i < len(p.fixed) {
			c.name = "Chi bộ " + p.fixed[i]
		} else {
			k := i - len(p.fixed)
			c.name = "Chi bộ " + fill(p.numbered[k%len(p.numbered)], strconv.Itoa(k/len(p.numbered)+1))
			if n >= partialFrom && len(p.partials) > 0 {
				c.partial = "Đảng bộ bộ phận " + p.partials[k%len(p.numbered)]
			}
		}
		out = append(out, c)
	}
	return out
}

// Cell profiles of the committees in the plans.
var (
	partyAgencies = &profile{sector: org.SectorAgency,
		fixed: []string{"Văn phòng", "Ban Tổ chức", "Ban Tuyên giáo", "Ủy ban Kiểm tra", "Ban Dân vận",
			"Ủy ban Mặt trận Tổ quốc", "Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "Hội Cựu chiến binh"},
		numbered: []string{"Tổ công tác {}"}}
	government = &profile{sector: org.SectorAgency,
		fixed: []string{"Văn phòng HĐND và UBND", "Phòng Tài chính – Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp",
			"Phòng Tài nguyên và Môi trường", "Phòng Giáo dục và Đào tạo", "Phòng Kinh tế", "Phòng Quản lý đô thị",
			"Thanh tra", "Phòng Lao động – Thương binh và Xã hội", "Phòng Văn hóa và Thông tin", "Phòng Y tế"},
		numbered: []string{"Ban Quản lý số {}"}}
	provincialAgency = &profile{sector: org.SectorAgency,
		fixed:    []string{"Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch – Tài chính", "Thanh tra", "Phòng Pháp chế"},
		numbered: []string{"Phòng Nghiệp vụ {}", "Chi cục {}"}}
	publicService = &profile{sector: org.SectorPublicService,
		fixed:    []string{"Phòng Hành chính – Tổng hợp", "Phòng Kế hoạch – Tài chính", "Phòng Nghiệp vụ"},
		numbered: []string{"Trung tâm {}", "Trạm {}"}}
	hospital = &profile{sector: org.SectorHealth,
		fixed: []string{"Phòng Kế hoạch – Tổng hợp", "Khoa Khám bệnh", "Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi",
			"Khoa Hồi sức cấp cứu", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh", "Khoa Dược", "Khoa Truyền nhiễm",
			"Khoa Y học cổ truyền", "Phòng Tổ chức – Hành chính", "Phòng Điều dưỡng", "Khoa Gây mê hồi sức"},
		numbered: []string{"Khoa Lâm sàng {}"}}
	college = &profile{sector: org.SectorSchool,
		fixed:    []string{"Phòng Đào tạo", "Phòng Tổ chức – Hành chính", "Khoa Khoa học cơ bản", "Phòng Quản lý khoa học"},
		numbered: []string{"Khoa chuyên ngành {}", "Bộ môn {}"}}
	military = &profile{sector: org.SectorArmedForces,
		fixed:    []string{"Cơ quan Tham mưu", "Cơ quan Chính trị", "Cơ quan Hậu cần – Kỹ thuật"},
		numbered: []string{"Đại đội {}", "Trung đội {}"}}
	police = &profile{sector: org.SectorArmedForces,
		fixed: []string{"Đội Tham mưu – Tổng hợp", "Đội An ninh", "Đội Cảnh sát hình sự", "Đội Cảnh sát kinh tế",
			"Đội Cảnh sát giao thông – trật tự", "Đội Cảnh sát quản lý hành chính về trật tự xã hội",
			"Đội Cảnh sát điều tra tội phạm về ma túy", "Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp"},
		numbered: []string{"Đội Công tác số {}"}}
	policeDepartment = &profile{sector: org.SectorArmedForces,
		fixed:    []string{"Đội Tham mưu – Tổng hợp"},
		numbered: []string{"Đội {}"}}
	borderPost = &profile{sector: org.SectorArmedForces,
		fixed:    []string{"Đội Vũ trang", "Đội Trinh sát", "Đội Vận động quần chúng", "Đội Phòng chống ma túy và tội phạm"},
		numbered: []string{"Tổ công tác {}"}}
	enterprise = &profile{sector: org.SectorEnterprise,
		fixed:    []string{"Văn phòng", "Phòng Kế hoạch – Kinh doanh", "Phòng Tài chính – Kế toán", "Phòng Kỹ thuật"},
		numbered: []string{"Chi nhánh số {}", "Xí nghiệp số {}"}}
	bank = &profile{sector: org.SectorEnterprise,
		fixed:    []string{"Phòng Khách hàng", "Phòng Kế toán – Ngân quỹ", "Phòng Tổng hợp"},
		numbered: []string{"Phòng giao dịch số {}"}}
	coalMine = &profile{sector: org.SectorEnterprise,
		fixed: []string{"Văn phòng", "Phòng Kỹ thuật", "Phòng Tổ chức – Lao động", "Phòng Kế hoạch", "Phòng Kế toán",
			"Phòng An toàn"},
		numbered: []string{"Phân xưởng Khai thác {}", "Phân xưởng Đào lò {}", "Phân xưởng Cơ điện {}", "Phân xưởng Vận tải {}"},
		partials: []string{"Khai thác", "Đào lò", "Cơ điện", "Vận tải"}}
)

// districtUnits are the grassroots organisations an administrative unit has
// besides its communes, in the order a plan takes them ("{}" is the unit,
// "huyện Tiên Yên"); schools named after its communes follow.
var districtUnits = []grassroots{
	{name: "Đảng bộ Cơ quan Đảng – Đoàn thể {}", kind: org.GrassrootsCommittee, sector: org.SectorAgency, cells: partyAgencies, weight: 1, head: 0.9},
	{name: "Đảng bộ Cơ quan Chính quyền {}", kind: org.GrassrootsCommittee, sector: org.SectorAgency, cells: government, weight: 1.2, head: 0.9},
	{name: "Đảng bộ Quân sự {}", kind: org.GrassrootsCommittee, sector: org.SectorArmedForces, cells: military, weight: 0.5, head: 0.2},
	{name: "Đảng bộ Công an {}", kind: org.GrassrootsCommittee, sector: org.SectorArmedForces, cells: police, weight: 1, head: 0.9},
	{name: "Đảng bộ Trung tâm Y tế {}", kind: org.GrassrootsCommittee, sector: org.SectorHealth, cells: hospital, weight: 0.8, head: 0.8},
	{name: "Chi bộ Trung tâm Chính trị {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.6, head: 0.9},
	{name: "Chi bộ Trung tâm Truyền thông và Văn hóa {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 1, head: 0.8},
	{name: "Chi bộ Ban Quản lý dự án đầu tư xây dựng {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.8, head: 0.8},
	{name: "Chi bộ Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên {}", kind: org.GrassrootsCell, sector: org.SectorSchool, weight: 0.8, head: 0.8},
	{name: "Chi bộ Trung tâm Phát triển quỹ đất {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.6, head: 0.8},
	{name: "Chi bộ Chi cục Thuế {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 1, head: 0.8},
	{name: "Chi bộ Kho bạc Nhà nước {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.5, head: 0.8},
	{name: "Chi bộ Viện Kiểm sát nhân dân {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.6, head: 0.9},
	{name: "Chi bộ Tòa án nhân dân {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.6, head: 0.9},
	{name: "Chi bộ Chi cục Thi hành án dân sự {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.5, head: 0.9},
	{name: "Chi bộ Bảo hiểm xã hội {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.5, head: 0.8},
	{name: "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {}", kind: org.GrassrootsCell, sector: org.SectorEnterprise, weight: 0.7, head: 0.7},
	{name: "Chi bộ Ngân hàng Chính sách xã hội {}", kind: org.GrassrootsCell, sector: org.SectorEnterprise, weight: 0.4, head: 0.7},
	{name: "Chi bộ Hạt Kiểm lâm {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.4, head: 0.8},
	{name: "Chi bộ Chi cục Thống kê {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.3, head: 0.8},
	{name: "Chi bộ Điện lực {}", kind: org.GrassrootsCell, sector: org.SectorEnterprise, weight: 0.8, head: 0.7},
	{name: "Chi bộ Trung tâm Dịch vụ nông nghiệp {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.4, head: 0.8},
	{name: "Chi bộ Ban Quản lý chợ {}", kind: org.GrassrootsCell, sector: org.SectorPublicService, weight: 0.3, head: 0.8},
	{name: "Chi bộ Đội Quản lý thị trường {}", kind: org.GrassrootsCell, sector: org.SectorAgency, weight: 0.3, head: 0.8},
}

// districtGrassroots are the first d.units of an administrative unit's own
// agencies and schools.
func districtGrassroots(d *district) []grassroots {
	gs := make([]grassroots, 0, d.units)
	for _, g := range districtUnits[:min(d.units, len(districtUnits))] {
		g.name = fill(g.name, d.place)
		gs = append(gs, g)
	}
	places := slices.Concat(d.wards, d.townships, d.communes)
	for i := range d.units - len(gs) {
		gs = append(gs, grassroots{name: "Chi bộ Trường THPT " + places[i], kind: org.GrassrootsCell,
			sector: org.SectorSchool, weight: 1, head: 0.9})
	}
	return gs
}

// gc and gcell shorten the lists of a bloc's grassroots organisations.
func gc(name string, sector org.Sector, cells namer, weight float64, seat string) grassroots {
	return grassroots{name: "Đảng bộ " + name, kind: org.GrassrootsCommittee, sector: sector, cells: cells,
		weight: weight, seat: seat, head: 0.8}
}

func gcell(name string, sector org.Sector, weight float64, seat string) grassroots {
	return grassroots{name: "Chi bộ " + name, kind: org.GrassrootsCell, sector: sector, weight: weight, seat: seat, head: 0.8}
}
