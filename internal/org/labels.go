package org

import (
	"fmt"
	"strings"
)

// Labels: each enumeration's values as the party's documents write them, for
// what people read (exports), where programs read the codes (String).

var (
	kindLabels = [NumKinds]string{"Đảng bộ tỉnh", "Đảng bộ cấp huyện và tương đương", "Đảng bộ cơ sở",
		"Chi bộ cơ sở", "Đảng bộ bộ phận", "Chi bộ trực thuộc"}
	sectorLabels = [NumSectors]string{"Khác", "Xã", "Phường", "Thị trấn", "Cơ quan", "Đơn vị sự nghiệp",
		"Doanh nghiệp", "Trường học", "Y tế", "Lực lượng vũ trang", "Thôn, bản", "Tổ dân phố, khu phố", "Khối"}
	roleLabels       = []string{"Bí thư", "Phó Bí thư", "Ủy viên Ban Thường vụ", "Cấp ủy viên", "Trưởng thôn, tổ trưởng tổ dân phố"}
	severityLabels   = []string{"Lỗi", "Cảnh báo", "Lưu ý"}
	nodeChangeLabels = []string{"Thành lập mới", "Chấm dứt hoạt động", "Chuyển cấp trên trực tiếp", "Đổi tên",
		"Đổi loại hình tổ chức", "Thay đổi số đảng viên"}
	breakdownTitles = []string{"Đảng viên theo tình trạng", "Đảng viên theo giới tính", "Đảng viên theo độ tuổi",
		"Đảng viên theo dân tộc", "Đảng viên theo trình độ lý luận chính trị", "Xếp loại chất lượng đảng viên năm %d",
		"Xếp loại chất lượng tổ chức cơ sở đảng năm %d", "Bí thư tổ chức cơ sở đảng đồng thời là thủ trưởng",
		"Trưởng thôn, tổ trưởng tổ dân phố là đảng viên", "Chi bộ sinh hoạt chuyên đề năm %d"}
	breakdownCodes = []string{"STATUS", "GENDER", "AGE_BAND", "ETHNICITY", "POLITICAL_THEORY", "MEMBER_RATING",
		"ORG_RATING", "SECRETARY_HEADS_UNIT", "VILLAGE_HEADS", "THEMATIC_MEETINGS"}
	figureLabels = map[string]string{
		"organisations":             "Tổ chức đảng",
		"members":                   "Đảng viên",
		"official":                  "Đảng viên chính thức",
		"probationary":              "Đảng viên dự bị",
		"levels":                    "Số cấp",
		"childrenPerCommittee.mean": "Tổ chức trực thuộc bình quân mỗi đảng bộ",
		"childrenPerCommittee.max":  "Tổ chức trực thuộc nhiều nhất của một đảng bộ",
		"cellsBelowThreeOfficial":   "Chi bộ dưới 3 đảng viên chính thức",
	}
)

func label(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return unknownLabel
}

func (k Kind) Label() string         { return label(kindLabels[:], int(k)) }
func (s Sector) Label() string       { return label(sectorLabels[:], int(s)) }
func (s MemberStatus) Label() string { return label(statusLabels, int(s)) }
func (g Gender) Label() string       { return label(genderLabels, int(g)) }
func (t Theory) Label() string       { return label(theoryLabels, int(t)) }
func (r Role) Label() string         { return label(roleLabels, int(r)) }
func (g Grade) Label() string        { return label(gradeLabels, int(g)) }
func (s Severity) Label() string     { return label(severityLabels, int(s)) }

func (k NodeChangeKind) Label() string { return label(nodeChangeLabels, int(k)) }

// String is the breakdown's API name.
func (b BreakdownBy) String() string {
	if int(b) < len(breakdownCodes) {
		return breakdownCodes[b]
	}
	return unknownKey
}

// Title is the breakdown's heading in a report; year is the rating year.
func (b BreakdownBy) Title(year int) string {
	t := label(breakdownTitles, int(b))
	if strings.Contains(t, "%d") {
		t = fmt.Sprintf(t, year)
	}
	return t
}

// FigureLabel is the Vietnamese name of a scenario diff's figure (Figure.Name).
func FigureLabel(name string) string {
	if l, ok := figureLabels[name]; ok {
		return l
	}
	if k, ok := strings.CutPrefix(name, "kind."); ok {
		if kind, err := ParseKind(k); err == nil {
			return kind.Label()
		}
	}
	if s, ok := strings.CutPrefix(name, "cellsBySector."); ok {
		var sector Sector
		if sector.UnmarshalText([]byte(s)) == nil {
			return "Chi bộ trực thuộc – " + sector.Label()
		}
	}
	return name
}
