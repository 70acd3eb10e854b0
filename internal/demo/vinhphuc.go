package demo

import (
	"time"

	"dangbo/internal/org"
)

// Vĩnh Phúc: only the two communes the articles describe (as the source articles report it), each
// under its district. Tam Hồng: 587 members in 18 cells, 13 of villages, 4 of
// schools and 1 of the health station, no partial committee. Bạch Lưu: 165
// members in 10 cells, 6 of villages. Tam Hồng's villages hold about 40
// members each. Their members are not rated.
var vinhPhuc = &province{
	name:         "Đảng bộ tỉnh Vĩnh Phúc",
	place:        "tỉnh Vĩnh Phúc",
	since:        org.DateFrom(1997, time.January, 1),
	probationary: 14,
	present:      &presentPlan{from: Reference.AddDays(1), admissions: 16, deaths: 6, transfers: 2},
	districts: []district{
		{key: "Yên Lạc", name: "Đảng bộ huyện Yên Lạc", place: "huyện Yên Lạc",
			communes: []string{"Tam Hồng"},
			commune: []extra{
				{"Chi bộ Trường Mầm non {} I", org.SectorSchool},
				{"Chi bộ Trường Mầm non {} II", org.SectorSchool},
				{"Chi bộ Trường Tiểu học {}", org.SectorSchool},
				{"Chi bộ Trường THCS {}", org.SectorSchool},
				{"Chi bộ Trạm Y tế", org.SectorHealth},
			},
			cells: 18, members: 587, crowded: true},
		{key: "Sông Lô", name: "Đảng bộ huyện Sông Lô", place: "huyện Sông Lô",
			communes: []string{"Bạch Lưu"},
			commune: []extra{
				{"Chi bộ Trường Mầm non {}", org.SectorSchool},
				{"Chi bộ Trường Tiểu học {}", org.SectorSchool},
				{"Chi bộ Trường THCS {}", org.SectorSchool},
				{"Chi bộ Trạm Y tế", org.SectorHealth},
			},
			cells: 10, members: 165},
	},
}

// provinces are generated in this order, each from its own random stream.
var provinces = []*province{quangNinh, vinhPhuc, konTum}
