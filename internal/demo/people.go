package demo

import (
	"math"
	"slices"

	"dangbo/internal/org"
)

// hills is the ethnic mix of a mountain district.
type hills struct {
	share   float64  // of its people who belong to an ethnic minority
	peoples []string // the minorities, repeated by weight
}

// weighted is a list of names drawn with given weights.
type weighted struct {
	names []string
	cum   []int // cumulative weights
}

func weigh(entries ...any) *weighted {
	w := &weighted{}
	total := 0
	for i := 0; i < len(entries); i += 2 {
		total += entries[i+1].(int)
		w.names = append(w.names, entries[i].(string))
		w.cum = append(w.cum, total)
	}
	return w
}

func (b *builder) draw(w *weighted) string {
	x := b.r.IntN(w.cum[len(w.cum)-1])
	i, _ := slices.BinarySearch(w.cum, x+1)
	return w.names[i]
}

func (b *builder) any(names []string) string { return names[b.r.IntN(len(names))] }

// Family names of the Kinh with their approximate frequency in the north, per mille.
var kinhFamilies = weigh("Nguyễn", 310, "Trần", 100, "Lê", 85, "Phạm", 75, "Hoàng", 55, "Vũ", 50, "Bùi", 35,
	"Đỗ", 30, "Đặng", 30, "Ngô", 20, "Phan", 20, "Dương", 15, "Đinh", 15, "Đào", 15, "Trịnh", 10, "Mai", 10,
	"Lương", 10, "Đoàn", 8, "Hồ", 8, "Cao", 8, "Hà", 8, "Lý", 7, "Tạ", 5, "Lưu", 5, "Chu", 5, "Võ", 5,
	"Phùng", 5, "Tô", 4, "Huỳnh", 3, "Vương", 3, "Lại", 3, "Đồng", 3, "Triệu", 3, "Kiều", 2, "Quách", 2)

// Family names common among the minorities of Quảng Ninh's hills.
var minorityFamilies = map[string][]string{
	"Tày":     {"Hoàng", "Hoàng", "Nông", "Nông", "Lục", "Vi", "Hà", "Lộc", "Lăng", "Nịnh"},
	"Dao":     {"Triệu", "Triệu", "Bàn", "Bàn", "Đặng", "Lý", "Lý", "Chìu", "Tằng"},
	"Sán Chỉ": {"Lý", "Lý", "Trương", "Voòng", "Sằm", "Nình"},
	"Sán Dìu": {"Lý", "Lý", "Trương", "Diệp", "Lưu", "Đàm"},
}

var (
	maleMiddles = weigh("Văn", 40, "Đức", 8, "Minh", 7, "Quang", 6, "Xuân", 5, "Hữu", 5, "Đình", 5, "Thanh", 4,
		"Ngọc", 4, "Công", 4, "Mạnh", 3, "Tiến", 3, "Trọng", 3, "Anh", 2, "Việt", 2, "Hoàng", 2, "Duy", 2, "Bá", 2)
	femaleMiddles = weigh("Thị", 55, "Thu", 6, "Thanh", 5, "Ngọc", 5, "Hồng", 5, "Kim", 4, "Minh", 3, "Phương", 3,
		"Thúy", 3, "Hải", 2, "Bích", 2, "Mai", 2, "Diệu", 1, "Quỳnh", 1)
	maleGivens = []string{"Hùng", "Dũng", "Tuấn", "Thắng", "Hải", "Nam", "Long", "Cường", "Hưng", "Sơn", "Trung",
		"Minh", "Quang", "Hiếu", "Đức", "Tùng", "Thành", "Phong", "Bình", "Hòa", "Khánh", "Lâm", "Tú", "Vinh",
		"Toàn", "Tiến", "Hoàng", "Huy", "Kiên", "Quân", "Việt", "Thịnh", "Chiến", "Duy", "Giang", "Hậu", "Hiệp",
		"Khoa", "Lợi", "Lực", "Nghĩa", "Phúc", "Quý", "Tài", "Thái", "Thọ", "Thuận", "Trường", "Vũ", "Vượng",
		"Anh", "Bảo", "Đạt", "Định", "Đông", "Hạnh", "Kỳ", "Luận", "Mạnh", "Ninh", "Quyết", "Sang", "Tâm", "Tính"}
	femaleGivens = []string{"Hương", "Lan", "Hoa", "Hà", "Hằng", "Linh", "Trang", "Thủy", "Nga", "Mai", "Huyền",
		"Thảo", "Nhung", "Yến", "Phương", "Hạnh", "Loan", "Oanh", "Dung", "Vân", "Liên", "Thu", "Hồng", "Ngọc",
		"Ánh", "Tâm", "Hiền", "Hải", "Giang", "Hòa", "Huệ", "Lệ", "Ly", "Nguyệt", "Nhàn", "Quyên", "Quỳnh", "Sen",
		"Thanh", "Thơm", "Thúy", "Thư", "Trinh", "Tuyết", "Uyên", "Xuân", "Chi", "Duyên", "Gấm", "Lành", "Phượng",
		"Tình", "Vui", "Bích", "Diệp", "Hậu", "Khuyên", "Lụa", "Mơ", "Nhâm"}
)

// Village names of the lowlands, and hamlet (bản) names of the hills. None
// contains "Tam" or "Bạch": no cell may outrank the communes a search looks for.
var (
	villageNames = []string{"Đồng Tâm", "Tân Lập", "Tân Tiến", "Đoàn Kết", "Thống Nhất", "Quyết Tiến", "Quyết Thắng",
		"Hợp Tiến", "Yên Hòa", "Phú Thịnh", "Đồng Cao", "Đồng Mai", "Hòa Bình", "An Thái", "Xuân Quang", "Tiền Phong",
		"Hưng Thịnh", "Hải Thịnh", "Bắc Sơn", "Nam Sơn", "Đông Sơn", "Tây Sơn", "Trại Lốc", "Khe Cát", "Cầu Trắng",
		"Đồng Vông", "Bến Tàu", "Đông Hải", "Nam Hải", "Trung Hải", "Cống Mương", "Yên Mỹ", "Phú Lộc", "Đồng Bái",
		"Tân Thành", "Vĩnh Xuân", "Hải Yến", "Đông Thắng", "Bình Minh", "Quang Trung", "Trung Lương", "Đồng Chanh"}
	hamletNames = []string{"Khe Tiền", "Nà Làng", "Pắc Liềng", "Khau Phạ", "Nà Ếch", "Phai Làu", "Lục Ngù", "Cốc Lầy",
		"Nà Áng", "Khe Vằn", "Sú Cáu", "Pò Hèn", "Ngàn Vàng", "Khe Mo", "Nà Pò", "Bắc Lù", "Khe Lục", "Nà Phạ",
		"Lòng Vài", "Khe Và", "Nà Nhái", "Cao Sơn", "Pắc Cáy", "Khe Giữa", "Đồng Cầu", "Làng Dạ", "Khe Ngàn", "Nà Bắp",
		"Pạt Cạp", "Tầm Làng"}
)

// maleShare is the share of men among the members of a cell of each sector.
var maleShare = [org.NumSectors]float64{
	org.SectorSchool: 0.3, org.SectorHealth: 0.35, org.SectorArmedForces: 0.9, org.SectorEnterprise: 0.72,
	org.SectorVillage: 0.64, org.SectorResidentialGroup: 0.55, org.SectorAgency: 0.55, org.SectorPublicService: 0.5,
	org.SectorOther: 0.55,
}

// sectorSize is the relative size of a cell of each sector.
var sectorSize = [org.NumSectors]float64{
	org.SectorVillage: 1, org.SectorResidentialGroup: 1.2, org.SectorSchool: 0.55, org.SectorHealth: 0.45,
	org.SectorAgency: 0.8, org.SectorArmedForces: 0.8, org.SectorEnterprise: 1, org.SectorPublicService: 0.7,
	org.SectorOther: 0.7,
}

// Mobile prefixes in use in Vietnam; the numbers behind them are drawn at random.
var phonePrefixes = []string{"086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
	"088", "091", "094", "081", "082", "083", "084", "085", "090", "093", "070", "076", "077", "078", "079"}

// Share of working members who have registered a residence link by early 2021.
const linkedShare = 0.9

// Theory levels by population, as cumulative shares of NONE, ELEMENTARY, INTERMEDIATE (ADVANCED the rest).
var (
	theoryWorking      = [3]float64{0.08, 0.5, 0.88}
	theoryHome         = [3]float64{0.3, 0.85, 0.98}
	theoryProbationary = [3]float64{0.6, 1, 1}
)

// addMembers generates the members of cell or grassroots cell u.
func (b *builder) addMembers(u *unit) {
	u.first = len(b.d.Members)
	for i := range u.size {
		b.d.Members = append(b.d.Members, b.member(u, i < u.size-u.probationary))
	}
}

func (b *builder) member(u *unit, official bool) org.MemberRecord {
	working := !u.sector.IsResidential()
	m := org.MemberRecord{ID: b.id("m")}
	b.identity(&m, u.area, u.sector)

	ref := b.cal.ref
	theory := theoryHome
	var born org.Date
	if official {
		age := 25 + int(67*math.Sqrt(b.r.Float64())) // many village members are retired
		if working {
			retirement := 60
			if m.Gender == org.Female {
				retirement = 55
			}
			age = 23 + b.r.IntN(retirement-22)
			theory = theoryWorking
		}
		born = ref.AddYears(-age).AddDays(-1 - b.r.IntN(364))
		m.AdmittedOn = born.AddYears(18 + b.r.IntN(min(age-19, 28))).AddDays(b.r.IntN(365))
		if latest := ref.AddYears(-1).AddDays(-60); m.AdmittedOn > latest {
			m.AdmittedOn = latest.AddDays(-b.r.IntN(365))
		}
		m.OfficialOn = new(m.AdmittedOn.AddYears(1).AddDays(b.r.IntN(40)))
	} else {
		m.AdmittedOn = b.date(ref.AddDays(-364), ref.AddDays(-7))
		born = m.AdmittedOn.AddYears(-18 - b.r.IntN(18)).AddDays(-1 - b.r.IntN(364))
		theory = theoryProbationary
	}
	m.Personal.BirthDate = &born
	m.Theory = org.Theory(3 - countAbove(theory, b.r.Float64()))

	since := max(m.AdmittedOn, u.since)
	if official && b.chance(0.25) { // moved in from another cell
		since = b.date(since, ref.AddDays(-30))
	}
	m.Stints = []org.Stint{{Span: org.Span{Since: since, Until: org.Forever}, CellID: u.id}}

	home := u
	if working {
		home = u.area.homes[b.r.IntN(len(u.area.homes))]
		if b.chance(linkedShare) {
			from := max(since, home.since, b.date(b.cal.linksFrom, b.cal.linksUntil))
			m.Residences = []org.Residence{{Span: org.Span{Since: from, Until: org.Forever}, CellID: home.id}}
		}
	}
	m.Personal.Address = home.place
	m.Personal.Phone = b.phone()
	return m
}

// identity draws a member's gender, ethnicity and name, as people of area
// working in a cell of that sector.
func (b *builder) identity(m *org.MemberRecord, a *area, sector org.Sector) {
	m.Gender = org.Female
	if b.chance(maleShare[sector]) {
		m.Gender = org.Male
	}
	m.Personal.Ethnicity = "Kinh"
	family := b.draw(kinhFamilies)
	if h := a.hills; h != nil && b.chance(h.share) {
		m.Personal.Ethnicity = b.any(h.peoples)
		if s := highlandNames[m.Personal.Ethnicity]; s != nil {
			m.FullName = s.name(b, m.Gender)
			return
		}
		family = b.any(minorityFamilies[m.Personal.Ethnicity])
	}
	if m.Gender == org.Male {
		m.FullName = family + " " + b.draw(maleMiddles) + " " + b.any(maleGivens)
	} else {
		m.FullName = family + " " + b.draw(femaleMiddles) + " " + b.any(femaleGivens)
	}
}

// naming is how a people of the Central Highlands names its members: men
// with "A", women with "Y" before their own name, or a family name where the
// people has them (Gia Rai: Rơ Châm, Ksor, Siu…; Brâu: Thao). Some take a
// Kinh given name.
type naming struct {
	families         []string // empty: A and Y
	women            string   // what a woman's name starts with after the family name, if anything
	men, womenGivens []string
	kinh             float64 // share with a Kinh given name
}

func (s *naming) name(b *builder, g org.Gender) string {
	var given string
	kinh := b.chance(s.kinh)
	switch {
	case kinh && g == org.Male:
		given = b.any(maleGivens)
	case kinh:
		given = b.any(femaleGivens)
	case g == org.Male:
		given = b.any(s.men)
	default:
		given = b.any(s.womenGivens)
	}
	switch {
	case len(s.families) > 0 && g == org.Female && s.women != "":
		return b.any(s.families) + " " + s.women + given
	case len(s.families) > 0:
		return b.any(s.families) + " " + given
	case g == org.Male:
		return "A " + given
	}
	return "Y " + given
}

// countAbove is how many of the cumulative shares exceed x.
func countAbove(cum [3]float64, x float64) int {
	n := 0
	for _, c := range cum {
		if c > x {
			n++
		}
	}
	return n
}

func (b *builder) phone() string {
	p := make([]byte, 0, 10)
	p = append(p, b.any(phonePrefixes)...)
	n := b.r.IntN(10_000_000)
	for d := 1_000_000; d > 0; d /= 10 {
		p = append(p, byte('0'+n/d%10))
	}
	return string(p)
}
