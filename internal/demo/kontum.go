package demo

import (
	"time"

	"dangbo/internal/org"
)

// Kon Tum (as the source articles report it): the provincial party organisation as it stood on
// 8 August 2016, and its history until 25 October 2021 (konTumHistory).
//
// On 8 August 2016 it has its 10 district-level committees (the city of Kon
// Tum and nine districts, each with its 102 communes, wards and townships and
// its own agencies; the provincial blocs and armed forces are not part of the
// demo), 874 village and residential-group cells among 2,413 cells, and
// 20,800 members, 1,150 of them on probation. Villages are "thôn" or "làng"
// in the countryside and "tổ dân phố" in the towns; the minorities are the
// Xơ Đăng, Ba Na, Giẻ Triêng, Gia Rai, Brâu and Rơ Măm. Its leaders were
// elected at the grassroots congresses of 2015 and serve on.
var konTum = &province{
	name:         "Đảng bộ tỉnh Kon Tum",
	place:        "tỉnh Kon Tum",
	since:        org.DateFrom(1991, time.August, 12), // the province re-established
	capital:      "Kon Tum",
	probationary: 1150,
	cal: &calendar{
		ref:           konTumStart,
		oldest:        org.DateFrom(1991, time.August, 12),
		lastFounding:  org.DateFrom(2015, time.December, 31),
		lastCell:      org.DateFrom(2016, time.June, 30),
		linksFrom:     org.DateFrom(2007, time.June, 15), // Quy định 76-QĐ/TW on the residence links of working members
		linksUntil:    konTumStart.AddDays(-1),
		congresses:    org.DateFrom(2015, time.May, 1), // 2015–2020 grassroots congresses
		congressesEnd: org.DateFrom(2015, time.July, 31),
	},
	history: withOffices(newKonTumHistory),
	present: &presentPlan{from: konTumEnd.AddDays(1), admissions: 1150, deaths: 120, transfers: 60},
	districts: []district{
		{key: "Kon Tum", name: "Đảng bộ thành phố Kon Tum", place: "thành phố Kon Tum",
			hills: &hills{0.3, []string{"Ba Na", "Ba Na", "Ba Na", "Ba Na", "Ba Na", "Xơ Đăng", "Xơ Đăng", "Gia Rai"}},
			wards: []string{"Quyết Thắng", "Thắng Lợi", "Thống Nhất", "Quang Trung", "Duy Tân", "Ngô Mây", "Lê Lợi",
				"Trần Hưng Đạo", "Nguyễn Trãi", "Trường Chinh"},
			communes: []string{"Đắk Cấm", "Đắk Blà", "Ia Chim", "Đắk Năng", "Đoàn Kết", "Chư Hreng", "Đắk Rơ Wa",
				"Hòa Bình", "Vinh Quang", "Kroong", "Ngọk Bay"},
			grassroots: konTumUnits("thành phố Kon Tum", "Kon Tum", false, "Kon Tum", "Duy Tân", "Lê Lợi", "Ngô Mây", "Trường Chinh"),
			villages:   215, cells: 540, members: 6000},
		{key: "Đắk Hà", name: "Đảng bộ huyện Đắk Hà", place: "huyện Đắk Hà",
			hills:     &hills{0.45, []string{"Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Ba Na", "Ba Na", "Gia Rai"}},
			townships: []string{"Đắk Hà"},
			communes: []string{"Đắk La", "Hà Mòn", "Đắk Hring", "Đắk Mar", "Đắk Ui", "Đắk Pxi", "Đắk Long", "Ngọk Wang",
				"Ngọk Réo", "Đắk Ngọk"},
			grassroots: konTumUnits("huyện Đắk Hà", "Đắk Hà", false, "Đắk Hà"),
			villages:   105, cells: 282, members: 2500},
		{key: "Đắk Tô", name: "Đảng bộ huyện Đắk Tô", place: "huyện Đắk Tô",
			hills:      &hills{0.5, []string{"Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Ba Na", "Giẻ Triêng"}},
			townships:  []string{"Đắk Tô"},
			communes:   []string{"Diên Bình", "Kon Đào", "Đắk Trăm", "Đắk Rơ Nga", "Ngọk Tụ", "Văn Lem", "Tân Cảnh", "Pô Kô"},
			grassroots: konTumUnits("huyện Đắk Tô", "Đắk Tô", true, "Đắk Tô"),
			villages:   75, cells: 215, members: 2000},
		{key: "Ngọc Hồi", name: "Đảng bộ huyện Ngọc Hồi", place: "huyện Ngọc Hồi",
			hills:      &hills{0.45, []string{"Giẻ Triêng", "Giẻ Triêng", "Giẻ Triêng", "Giẻ Triêng", "Xơ Đăng", "Xơ Đăng", "Brâu"}},
			townships:  []string{"Plei Kần"},
			communes:   []string{"Đắk Ang", "Đắk Dục", "Đắk Nông", "Đắk Xú", "Bờ Y", "Sa Loong", "Đắk Kan"},
			grassroots: konTumUnits("huyện Ngọc Hồi", "Ngọc Hồi", true, "Plei Kần"),
			villages:   65, cells: 199, members: 1900},
		{key: "Đắk Glei", name: "Đảng bộ huyện Đắk Glei", place: "huyện Đắk Glei",
			hills:     &hills{0.85, []string{"Giẻ Triêng", "Giẻ Triêng", "Giẻ Triêng", "Giẻ Triêng", "Giẻ Triêng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng"}},
			townships: []string{"Đắk Glei"},
			communes: []string{"Đắk Blô", "Đắk Man", "Đắk Nhoong", "Đắk Pék", "Đắk Choong", "Xốp", "Mường Hoong",
				"Ngọc Linh", "Đắk Long", "Đắk Kroong", "Đắk Môn"},
			grassroots: konTumUnits("huyện Đắk Glei", "Đắk Glei", true, "Đắk Glei"),
			villages:   100, cells: 253, members: 1900},
		{key: "Sa Thầy", name: "Đảng bộ huyện Sa Thầy", place: "huyện Sa Thầy",
			hills:     &hills{0.55, []string{"Gia Rai", "Gia Rai", "Gia Rai", "Rơ Măm", "Ba Na", "Xơ Đăng"}},
			townships: []string{"Sa Thầy"},
			communes: []string{"Rờ Kơi", "Sa Nhơn", "Hơ Moong", "Mô Rai", "Sa Sơn", "Sa Nghĩa", "Sa Bình", "Ya Xiêr",
				"Ya Tăng", "Ya Ly"},
			grassroots: konTumUnits("huyện Sa Thầy", "Sa Thầy", true, "Sa Thầy"),
			villages:   74, cells: 221, members: 1900},
		{key: "Kon Rẫy", name: "Đảng bộ huyện Kon Rẫy", place: "huyện Kon Rẫy",
			since:      org.DateFrom(2002, time.February, 4),
			hills:      &hills{0.65, []string{"Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Ba Na", "Ba Na", "Ba Na"}},
			townships:  []string{"Đắk Rve"},
			communes:   []string{"Đắk Kôi", "Đắk Tơ Lung", "Đắk Ruồng", "Đắk Pne", "Đắk Tờ Re", "Tân Lập"},
			grassroots: konTumUnits("huyện Kon Rẫy", "Kon Rẫy", true, "Kon Rẫy"),
			villages:   55, cells: 173, members: 1200},
		{key: "Kon Plông", name: "Đảng bộ huyện Kon Plông", place: "huyện Kon Plông",
			hills: &hills{0.9, []string{"Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Xơ Đăng", "Ba Na"}},
			communes: []string{"Đắk Long", "Hiếu", "Măng Bút", "Măng Cành", "Ngọk Tem", "Pờ Ê", "Đắk Tăng", "Đắk Ring",
				"Đắk Nên"},
			grassroots: konTumUnits("huyện Kon Plông", "Kon Plông", true, "Măng Đen"),
			villages:   70, cells: 199, members: 1300},
		{key: "Tu Mơ Rông", name: "Đảng bộ huyện Tu Mơ Rông", place: "huyện Tu Mơ Rông",
			since: org.DateFrom(2005, time.June, 10),
			hills: &hills{0.95, []string{"Xơ Đăng"}},
			communes: []string{"Đắk Hà", "Đắk Na", "Đắk Rơ Ông", "Đắk Sao", "Đắk Tờ Kan", "Măng Ri", "Ngọk Lây", "Ngọk Yêu",
				"Tê Xăng", "Tu Mơ Rông", "Văn Xuôi"},
			grassroots: konTumUnits("huyện Tu Mơ Rông", "Tu Mơ Rông", false, "Tu Mơ Rông"),
			villages:   95, cells: 236, members: 1400},
		{key: "Ia H'Drai", name: "Đảng bộ huyện Ia H'Drai", place: "huyện Ia H'Drai",
			since:      org.DateFrom(2015, time.February, 11),
			hills:      &hills{0.15, []string{"Gia Rai"}},
			communes:   []string{"Ia Dom", "Ia Đal", "Ia Tơi"},
			grassroots: konTumUnits("huyện Ia H'Drai", "Ia H'Drai", false, "Ia H'Drai"),
			villages:   20, cells: 95, members: 700},
	},
}

// The history's bounds: the figures of the source articles count the changes
// effective from konTumStart to konTumEnd, both included.
var (
	konTumStart = org.DateFrom(2016, time.August, 8)
	konTumEnd   = org.DateFrom(2021, time.October, 25)
)

func init() {
	for i := range konTum.districts {
		d := &konTum.districts[i]
		d.homes, d.townHomes, d.wardExtras, d.style = "tổ dân phố", "tổ dân phố", konTumTownExtras, konTumVillages
	}
}

// Wards and townships have had their own police; communes receive theirs in
// 2019–2020.
var konTumTownExtras = append(defaultExtras[:len(defaultExtras):len(defaultExtras)], extra{"Chi bộ Công an", org.SectorArmedForces})

// konTumVillages names the villages of the minorities; those of later
// settlers are numbered.
var konTumVillages = &villageStyle{lang: 0.5, names: []string{
	"Kon Klor", "Kon Hra Chót", "Kon Rờ Bàng", "Kon Jơ Ri", "Plei Đôn", "Plei Trum", "Plei Rơ Wăk", "Plei Groi",
	"Kon Tu Rằng", "Kon Gur", "Kon Mơ Nay", "Kon Hring", "Đắk Lấp", "Đắk Mót", "Đắk Ri Peng", "Tu Thôn", "Kon Bo",
	"Đắk Xấp", "Vi Chring", "Pa Cheng", "Ba Tu", "Kon Lung", "Kon Pia", "Đắk Chờ", "Kon Sơ Lăl", "Kon Rơ Wang",
	"Plei Ya Kim", "Đắk Wơk", "Kon Ktu", "Kon Kơ Tu", "Đắk Kang", "Đắk Sút", "Vi Xây", "Mô Pả", "Tu Cần", "Đắk Rế",
	"Kon Chênh", "Đắk Pơ Trang", "Đắk Kinh", "Long Hy", "Ngọc Lâng", "Kon Pring", "Kon Dố", "Pu Tá", "Đắk Đoát",
	"Đắk Tiêng", "Kon Khôn", "Kon Năng", "Tê Pên", "Xốp Dùi", "Mô Bo", "Kạch Nhỏ", "Kạch Lớn", "Đắk Rê",
	"Đắk Rơ Nghe", "Kon Chốt", "Plei Krông", "Plei Sar", "Plei Bông", "Đắk Lung", "Đắk Pung", "Rơ Wắk", "Ya Tang",
	"Ba Xa", "Kon Vơng Kia", "Nú Vai", "Đắk Mế", "Plei Kơ Tu", "Đắk Giá", "Kon Braih", "Pa Sỹ", "Tu Rét",
	"Đắk Tang", "Kon Rơ Kơi", "Đắk Wang", "Đắk Nghé", "Kon Xủ", "Bun Ngai", "Kon Tu Dốp", "Đắk Xây",
}}

// The names of villages that mergers form, in the communes.
var konTumMergedVillages = []string{"Tân Hòa", "Hòa Bình", "Đoàn Kết", "Thống Nhất", "Tân Lập", "Quyết Thắng",
	"Tân Sơn", "Tân Tiến", "Tân Bình", "Hòa Thuận", "Tân An", "Tân Phong"}

// How the minorities of Kon Tum name their members.
var highlandNames = func() map[string]*naming {
	men := []string{"Pớt", "Thút", "Vên", "Blương", "Dũng", "Kơ", "Brưm", "Nguy", "Phiên", "Hrui", "Krui", "Đen",
		"Jen", "Reo", "Hơn", "Sỹ", "Mưu", "Rin", "Pinh", "Láy", "Bốt", "Lợi", "Khải", "Kôi", "Hyên", "Tới", "Nhanh",
		"Blong", "Glong", "Hmun", "Diu", "Hlai", "Vươn", "Sâm", "Đức", "Thiên", "Trui", "Nhất", "Mang", "Bắc"}
	women := []string{"Bay", "Hiên", "Nhung", "Mơ", "Niêm", "Khuyên", "Hội", "Thơm", "Blưm", "Nuôi", "Đương",
		"Nhẽo", "Lan", "Hoa", "Thuyết", "Hương", "Ngọc", "Phương", "Bơi", "Jiêng", "Kim", "Lệ", "Mai", "Pai", "Rơi",
		"Sang", "Thanh", "Vi", "Xí", "Yến", "Hrên", "Lực", "Mlan", "Dơi", "Khiếu"}
	ay := &naming{men: men, womenGivens: women, kinh: 0.25}
	return map[string]*naming{
		"Xơ Đăng": ay, "Ba Na": ay, "Giẻ Triêng": ay, "Rơ Măm": ay,
		"Gia Rai": {families: []string{"Rơ Châm", "Ksor", "Siu", "Rơ Mah", "Puih", "Kpă", "Nay", "Rah Lan"},
			women: "H'", men: men, womenGivens: women, kinh: 0.3},
		"Brâu": {families: []string{"Thao"}, women: "Y ", men: men, womenGivens: women, kinh: 0.2},
	}
}()

// Kon Tum's district health centres, police and governments.
var (
	konTumHealth = &profile{least: 3, sector: org.SectorHealth,
		fixed: []string{"Phòng Tổ chức – Hành chính", "Phòng Kế hoạch – Nghiệp vụ", "Khoa Kiểm soát bệnh tật",
			"Khoa Khám bệnh", "Khoa Nội – Nhi", "Khoa Ngoại – Sản", "Khoa Hồi sức cấp cứu", "Khoa Dược – Xét nghiệm",
			"Khoa Y tế công cộng và Dinh dưỡng"},
		numbered: []string{"Phòng khám đa khoa khu vực {}"}}
	konTumPolice = &profile{least: 12, sector: org.SectorArmedForces, fixed: police.fixed,
		numbered: []string{"Đội Công tác số {}"}}
	konTumCityGovernment = &profile{sector: org.SectorAgency,
		fixed: []string{"Văn phòng HĐND và UBND", "Phòng Tài chính – Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp",
			"Phòng Tài nguyên và Môi trường", "Phòng Giáo dục và Đào tạo", "Phòng Kinh tế", "Phòng Quản lý đô thị",
			"Thanh tra", "Phòng Lao động – Thương binh và Xã hội", "Phòng Văn hóa và Thông tin", "Phòng Y tế",
			"Phòng Dân tộc"},
		numbered: []string{"Ban Quản lý số {}"}}
	konTumGovernment = &profile{sector: org.SectorAgency,
		fixed: []string{"Văn phòng HĐND và UBND", "Phòng Tài chính – Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp",
			"Phòng Tài nguyên và Môi trường", "Phòng Giáo dục và Đào tạo", "Phòng Kinh tế và Hạ tầng",
			"Phòng Nông nghiệp và Phát triển nông thôn", "Thanh tra", "Phòng Lao động – Thương binh và Xã hội",
			"Phòng Văn hóa và Thông tin", "Phòng Y tế", "Phòng Dân tộc"},
		numbered: []string{"Tổ công tác {}"}}
)

// Names of the units the history reorganises ("{}" is the district).
const (
	ktCulture      = "Chi bộ Trung tâm Văn hóa – Thông tin {}"
	ktBroadcasting = "Chi bộ Đài Truyền thanh – Truyền hình {}"
	ktVocational   = "Chi bộ Trung tâm Dạy nghề {}"
	ktContinuing   = "Chi bộ Trung tâm Giáo dục thường xuyên {}"
	ktProjects     = "Chi bộ Ban Quản lý dự án đầu tư xây dựng {}"
	ktLandFund     = "Chi bộ Trung tâm Phát triển quỹ đất {}"
	ktPopulation   = "Chi bộ Trung tâm Dân số – Kế hoạch hóa gia đình {}"
	ktExtension    = "Chi bộ Trạm Khuyến nông {}"
	ktVeterinary   = "Chi bộ Trạm Thú y {}"
	ktCrops        = "Chi bộ Trạm Trồng trọt và Bảo vệ thực vật {}"
	ktForestry     = "Chi bộ Công ty TNHH MTV Lâm nghiệp {}" // "{}" is the district's key
	ktPolice       = "Đảng bộ Công an {}"
	ktHealthCentre = "Đảng bộ Trung tâm Y tế {}"
)

// konTumUnits are a district's own grassroots organisations in 2016: its
// agencies, public services, enterprises and high schools, the state forestry
// company where it has one.
func konTumUnits(place, key string, forestry bool, schools ...string) []grassroots {
	government := konTumGovernment
	if key == "Kon Tum" {
		government = konTumCityGovernment
	}
	committee := func(name string, sector org.Sector, cells namer, weight, cellWeight, head float64) grassroots {
		return grassroots{name: fill(name, place), kind: org.GrassrootsCommittee, sector: sector, cells: cells,
			weight: weight, cellWeight: cellWeight, head: head}
	}
	cell := func(name string, sector org.Sector, weight float64, maxSize int) grassroots {
		return grassroots{name: fill(name, place), kind: org.GrassrootsCell, sector: sector, weight: weight,
			maxSize: maxSize, head: 0.8}
	}
	gs := []grassroots{
		committee("Đảng bộ Cơ quan Đảng – Đoàn thể {}", org.SectorAgency, partyAgencies, 1, 1, 0.9),
		committee("Đảng bộ Cơ quan Chính quyền {}", org.SectorAgency, government, 1.2, 1, 0.9),
		committee("Đảng bộ Quân sự {}", org.SectorArmedForces, military, 0.5, 1, 0.2),
		committee(ktPolice, org.SectorArmedForces, konTumPolice, 1, 3, 0.9),
		committee(ktHealthCentre, org.SectorHealth, konTumHealth, 0.8, 1, 0.8),
		cell("Chi bộ Trung tâm Bồi dưỡng chính trị {}", org.SectorPublicService, 0.5, 0),
		cell(ktCulture, org.SectorPublicService, 0.6, 12),
		cell(ktBroadcasting, org.SectorPublicService, 0.5, 12),
		cell(ktVocational, org.SectorSchool, 0.5, 12),
		cell(ktContinuing, org.SectorSchool, 0.6, 12),
		cell(ktProjects, org.SectorPublicService, 0.7, 14),
		cell(ktLandFund, org.SectorPublicService, 0.5, 12),
		cell(ktPopulation, org.SectorHealth, 0.4, 10),
		cell(ktExtension, org.SectorPublicService, 0.4, 9),
		cell(ktVeterinary, org.SectorPublicService, 0.4, 9),
		cell(ktCrops, org.SectorPublicService, 0.4, 9),
		cell("Chi bộ Chi cục Thuế {}", org.SectorAgency, 1, 0),
		cell("Chi bộ Kho bạc Nhà nước {}", org.SectorAgency, 0.5, 0),
		cell("Chi bộ Viện Kiểm sát nhân dân {}", org.SectorAgency, 0.6, 0),
		cell("Chi bộ Tòa án nhân dân {}", org.SectorAgency, 0.6, 0),
		cell("Chi bộ Chi cục Thi hành án dân sự {}", org.SectorAgency, 0.5, 0),
		cell("Chi bộ Bảo hiểm xã hội {}", org.SectorAgency, 0.5, 0),
		cell("Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {}", org.SectorEnterprise, 0.7, 0),
		cell("Chi bộ Ngân hàng Chính sách xã hội {}", org.SectorEnterprise, 0.4, 0),
		cell("Chi bộ Hạt Kiểm lâm {}", org.SectorPublicService, 0.6, 0),
		cell("Chi bộ Chi cục Thống kê {}", org.SectorAgency, 0.3, 0),
		cell("Chi bộ Điện lực {}", org.SectorEnterprise, 0.7, 0),
		cell("Chi bộ Trường Phổ thông Dân tộc nội trú {}", org.SectorSchool, 0.8, 0),
	}
	if forestry {
		gs = append(gs, cell(fill(ktForestry, key), org.SectorEnterprise, 0.8, 0))
	}
	for _, s := range schools {
		gs = append(gs, cell("Chi bộ Trường THPT "+s, org.SectorSchool, 1, 0))
	}
	return gs
}
