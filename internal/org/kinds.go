package org

// Kind is the kind of an organisation (the levels of a provincial party organisation).
type Kind uint8

const (
	Province            Kind = iota // Đảng bộ tỉnh
	District                        // Đảng bộ cấp huyện và tương đương
	GrassrootsCommittee             // Đảng bộ cơ sở
	GrassrootsCell                  // Chi bộ cơ sở
	PartialCommittee                // Đảng bộ bộ phận
	Cell                            // Chi bộ trực thuộc
)

// NumKinds is the number of organisation kinds.
const NumKinds = int(Cell) + 1

var kinds = enumNames[Kind]{"loại tổ chức", []string{
	"PROVINCE", "DISTRICT", "GRASSROOTS_COMMITTEE", "GRASSROOTS_CELL", "PARTIAL_COMMITTEE", "CELL"}}

func (k Kind) String() string                { return kinds.String(k) }
func (k Kind) MarshalText() ([]byte, error)  { return kinds.Marshal(k) }
func (k *Kind) UnmarshalText(b []byte) error { return kinds.Unmarshal(k, b) }

// ParseKind reads a kind by its API name.
func ParseKind(s string) (Kind, error) { return kinds.Parse(s) }

// HoldsMembers reports whether members belong directly to organisations of this kind (R5).
func (k Kind) HoldsMembers() bool { return k == Cell || k == GrassrootsCell }

// IsGrassroots reports whether the kind is a grassroots organisation (tổ chức cơ sở đảng).
func (k Kind) IsGrassroots() bool { return k == GrassrootsCommittee || k == GrassrootsCell }

// IsCell reports whether the kind is a cell of either sort, the unit rules R1 and R4 apply to.
func (k Kind) IsCell() bool { return k == Cell || k == GrassrootsCell }

// Sector is what an organisation or cell is attached to.
type Sector uint8

const (
	SectorOther            Sector = iota // khác
	SectorCommune                        // xã
	SectorWard                           // phường
	SectorTownship                       // thị trấn
	SectorAgency                         // cơ quan
	SectorPublicService                  // đơn vị sự nghiệp
	SectorEnterprise                     // doanh nghiệp
	SectorSchool                         // trường học
	SectorHealth                         // y tế
	SectorArmedForces                    // lực lượng vũ trang
	SectorVillage                        // thôn, bản (chi bộ nông thôn)
	SectorResidentialGroup               // tổ dân phố, khu phố
	SectorBloc                           // khối
)

// NumSectors is the number of sectors.
const NumSectors = int(SectorBloc) + 1

var sectors = enumNames[Sector]{"lĩnh vực", []string{
	"OTHER", "COMMUNE", "WARD", "TOWNSHIP", "AGENCY", "PUBLIC_SERVICE", "ENTERPRISE",
	"SCHOOL", "HEALTH", "ARMED_FORCES", "VILLAGE", "RESIDENTIAL_GROUP", "BLOC"}}

func (s Sector) String() string                { return sectors.String(s) }
func (s Sector) MarshalText() ([]byte, error)  { return sectors.Marshal(s) }
func (s *Sector) UnmarshalText(b []byte) error { return sectors.Unmarshal(s, b) }

// IsResidential reports whether a cell of this sector is one where members live:
// the only cells a residence link may point to (R6, Quy định 213-QĐ/TW).
func (s Sector) IsResidential() bool { return s == SectorVillage || s == SectorResidentialGroup }

// IsTerritorial reports whether an organisation of this sector is the party
// organisation of an administrative unit (a district, a commune, a ward)
// rather than of a bloc, an enterprise, an agency or the armed forces.
// District-level units carry no sector of their own: OTHER.
func (s Sector) IsTerritorial() bool {
	return s == SectorOther || s == SectorCommune || s == SectorWard || s == SectorTownship
}

// MemberStatus is whether a member is still on probation.
type MemberStatus uint8

const (
	Probationary MemberStatus = iota // đảng viên dự bị
	Official                         // đảng viên chính thức
)

var statuses = enumNames[MemberStatus]{"trạng thái đảng viên", []string{"PROBATIONARY", "OFFICIAL"}}

func (s MemberStatus) String() string                { return statuses.String(s) }
func (s MemberStatus) MarshalText() ([]byte, error)  { return statuses.Marshal(s) }
func (s *MemberStatus) UnmarshalText(b []byte) error { return statuses.Unmarshal(s, b) }

// Gender of a member.
type Gender uint8

const (
	Male Gender = iota
	Female
)

var genders = enumNames[Gender]{"giới tính", []string{"MALE", "FEMALE"}}

func (g Gender) String() string                { return genders.String(g) }
func (g Gender) MarshalText() ([]byte, error)  { return genders.Marshal(g) }
func (g *Gender) UnmarshalText(b []byte) error { return genders.Unmarshal(g, b) }

// Theory is a member's level of political theory (lý luận chính trị).
type Theory uint8

const (
	TheoryNone         Theory = iota // chưa qua đào tạo
	TheoryElementary                 // sơ cấp
	TheoryIntermediate               // trung cấp
	TheoryAdvanced                   // cao cấp, cử nhân
)

var theories = enumNames[Theory]{"trình độ lý luận chính trị", []string{"NONE", "ELEMENTARY", "INTERMEDIATE", "ADVANCED"}}

func (t Theory) String() string                { return theories.String(t) }
func (t Theory) MarshalText() ([]byte, error)  { return theories.Marshal(t) }
func (t *Theory) UnmarshalText(b []byte) error { return theories.Unmarshal(t, b) }

// Role is a leadership position in an organisation.
type Role uint8

const (
	Secretary               Role = iota // Bí thư
	DeputySecretary                     // Phó Bí thư
	StandingCommitteeMember             // Ủy viên Ban Thường vụ
	CommitteeMember                     // cấp ủy viên
	// VillageHead (trưởng thôn, tổ trưởng tổ dân phố) heads the village or
	// residential group of a village or residential-group cell: no party
	// office, but the party's reports count the villages a member heads.
	VillageHead
)

var roles = enumNames[Role]{"chức vụ", []string{"SECRETARY", "DEPUTY_SECRETARY", "STANDING_COMMITTEE_MEMBER", "COMMITTEE_MEMBER", "VILLAGE_HEAD"}}

func (r Role) String() string                { return roles.String(r) }
func (r Role) MarshalText() ([]byte, error)  { return roles.Marshal(r) }
func (r *Role) UnmarshalText(b []byte) error { return roles.Unmarshal(r, b) }

// Grade is a yearly quality rating (xếp loại chất lượng).
type Grade uint8

const (
	Excellent    Grade = iota // hoàn thành xuất sắc nhiệm vụ
	Good                      // hoàn thành tốt nhiệm vụ
	Completed                 // hoàn thành nhiệm vụ
	NotCompleted              // không hoàn thành nhiệm vụ
)

// NumGrades is the number of grades.
const NumGrades = int(NotCompleted) + 1

var grades = enumNames[Grade]{"xếp loại", []string{"EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED"}}

func (g Grade) String() string                { return grades.String(g) }
func (g Grade) MarshalText() ([]byte, error)  { return grades.Marshal(g) }
func (g *Grade) UnmarshalText(b []byte) error { return grades.Unmarshal(g, b) }
