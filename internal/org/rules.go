package org

import "fmt"

// Severity of a rule finding.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

var severities = enumNames[Severity]{"mức độ", []string{"ERROR", "WARNING", "INFO"}}

func (s Severity) String() string                { return severities.String(s) }
func (s Severity) MarshalText() ([]byte, error)  { return severities.Marshal(s) }
func (s *Severity) UnmarshalText(b []byte) error { return severities.Unmarshal(s, b) }

// Rule is one rule of the Party Charter and its regulations (the `rules` query lists them).
type Rule struct {
	ID       string
	Severity Severity
	Title    string // what the rule requires, in Vietnamese
	Basis    string // where it is written
}

// The rules a structure and every change to it must respect.
var (
	RuleMinOfficial = Rule{"R1", SeverityError,
		"Chi bộ, chi bộ cơ sở phải có ít nhất 3 đảng viên chính thức", "Điều lệ Đảng, Điều 21, khoản 1"}
	RuleGrassrootsSize = Rule{"R2", SeverityWarning,
		"Tổ chức cơ sở đảng có từ 30 đảng viên trở lên lập đảng bộ cơ sở; đảng bộ cơ sở dưới 30 đảng viên cần cấp ủy cấp trên trực tiếp đồng ý",
		"Điều lệ Đảng, Điều 21, khoản 2"}
	RuleCellSize = Rule{"R3", SeverityWarning,
		"Chi bộ trực thuộc có trên 30 đảng viên cần cấp ủy cấp trên trực tiếp đồng ý", "Hướng dẫn số 01-HD/TW ngày 28/9/2021"}
	RuleCellCommittee = Rule{"R4", SeverityWarning,
		"Chi bộ có từ 9 đảng viên chính thức trở lên bầu chi ủy", "Điều lệ Đảng, Điều 24, khoản 2"}
	RuleShape = Rule{"R5", SeverityError,
		"Tổ chức đảng phải đặt đúng cấp trong hệ thống tổ chức; đảng viên sinh hoạt ở chi bộ", "Điều lệ Đảng, Điều 10 và Điều 21"}
	RuleMembership = Rule{"R6", SeverityError,
		"Mỗi đảng viên sinh hoạt chính thức ở một chi bộ; giữ mối liên hệ với chi bộ thôn, tổ dân phố nơi cư trú",
		"Điều lệ Đảng, Điều 2; Quy định số 213-QĐ/TW"}
	RuleProbation = Rule{"R7", SeverityInfo,
		"Thời hạn dự bị là 12 tháng kể từ ngày kết nạp", "Điều lệ Đảng, Điều 5"}
	RuleExcellentQuota = Rule{"R8", SeverityWarning,
		"Số hoàn thành xuất sắc nhiệm vụ không vượt quá 20% số hoàn thành tốt nhiệm vụ", "Quy định số 132-QĐ/TW"}
	RuleIssuer = Rule{"R9", SeverityError,
		"Chỉ cấp ủy cấp trên trực tiếp quyết định thành lập, giải thể tổ chức đảng", "Điều lệ Đảng, Điều 10, khoản 3"}
)

// RuleResidenceLost is R6 for a working member whose residence link ended
// (with the cell it pointed to, say) and who has none yet: a prompt to link
// them anew, not a breach of the structure.
var RuleResidenceLost = Rule{"R6", SeverityWarning,
	"Đảng viên đang công tác giữ mối liên hệ với chi bộ thôn, tổ dân phố nơi cư trú", "Quy định số 213-QĐ/TW"}

// Rules lists the rules in order.
func Rules() []Rule {
	return []Rule{RuleMinOfficial, RuleGrassrootsSize, RuleCellSize, RuleCellCommittee, RuleShape,
		RuleMembership, RuleProbation, RuleExcellentQuota, RuleIssuer}
}

// Violation is a RULE_VIOLATION error naming this rule.
func (r Rule) Violation(format string, args ...any) *Error {
	return &Error{Code: ERule, Rule: r.ID, Basis: r.Basis, Message: fmt.Sprintf(format, args...)}
}

// kindNamesVi names each kind in Vietnamese for rule messages.
var kindNamesVi = [NumKinds]string{"đảng bộ tỉnh", "đảng bộ cấp huyện", "đảng bộ cơ sở", "chi bộ cơ sở", "đảng bộ bộ phận", "chi bộ"}

// Vietnamese is the kind's name in rule messages.
func (k Kind) Vietnamese() string {
	if int(k) < NumKinds {
		return kindNamesVi[k]
	}
	return k.String()
}

// CanContain reports whether an organisation of kind child may sit directly under
// one of kind parent (R5). Grassroots organisations may sit under a province
// directly: since 2025 new communes and wards report to the province.
func CanContain(parent, child Kind) bool {
	switch child {
	case District:
		return parent == Province
	case GrassrootsCommittee, GrassrootsCell:
		return parent == District || parent == Province
	case PartialCommittee:
		return parent == GrassrootsCommittee
	case Cell:
		return parent == GrassrootsCommittee || parent == PartialCommittee
	}
	return false
}

// checkPlacement is nil when an organisation of kind child may sit under parent
// (nil for a root), and an R5 violation otherwise. It names the parent's kind,
// not the parent: the finding shows to whoever sees the child, who may not see
// the organisation above it.
func checkPlacement(child Kind, parent *Org) error {
	if parent == nil {
		if child != Province {
			return RuleShape.Violation("%s phải trực thuộc một tổ chức đảng cấp trên", child.Vietnamese())
		}
		return nil
	}
	if !CanContain(parent.Kind, child) {
		return RuleShape.Violation("%s không thể trực thuộc %s", child.Vietnamese(), parent.Kind.Vietnamese())
	}
	return nil
}

// checkMemberCell is nil when members may belong to the organisation directly (R5).
func checkMemberCell(cell *Org) error {
	if !cell.Kind.HoldsMembers() {
		return RuleShape.Violation("đảng viên chỉ sinh hoạt ở chi bộ hoặc chi bộ cơ sở; %q là %s", cell.Name, cell.Kind.Vietnamese())
	}
	return nil
}

// CheckResidence is nil when a member of ownCell may keep a residence link with cell (R6).
func CheckResidence(cell *Org, ownCell string) error {
	if !cell.Kind.HoldsMembers() || !cell.Sector.IsResidential() {
		return RuleMembership.Violation("nơi cư trú phải là chi bộ thôn hoặc tổ dân phố; %q không phải", cell.Name)
	}
	if cell.ID == ownCell {
		return RuleMembership.Violation("chi bộ nơi cư trú %q trùng với chi bộ đảng viên đang sinh hoạt", cell.Name)
	}
	return nil
}
