package org

import (
	"math"
	"time"
)

// ScenarioStatus is where a scenario stands: open while it is being drafted,
// then applied or discarded, after which it can no longer change.
type ScenarioStatus uint8

const (
	ScenarioOpen ScenarioStatus = iota
	ScenarioApplied
	ScenarioDiscarded
)

var scenarioStatuses = enumNames[ScenarioStatus]{"trạng thái phương án", []string{"OPEN", "APPLIED", "DISCARDED"}}

func (s ScenarioStatus) String() string                { return scenarioStatuses.String(s) }
func (s ScenarioStatus) MarshalText() ([]byte, error)  { return scenarioStatuses.Marshal(s) }
func (s *ScenarioStatus) UnmarshalText(b []byte) error { return scenarioStatuses.Unmarshal(s, b) }

// Scenario is a draft restructuring (phương án sắp xếp): operations over the
// live structure of one subtree, kept as the operations themselves, never as
// a copy of the structure. Reading it replays them over the live records.
type Scenario struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Within    string         `json:"within"`   // the root of the subtree it changes
	BaseAsOf  Date           `json:"baseAsOf"` // the date its operations take effect on in simulation
	Status    ScenarioStatus `json:"status"`
	CreatedBy string         `json:"createdBy,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
	Ops       []Operation    `json:"ops,omitempty"`
	// Undone are the operations undone, the most recent last: redo puts it
	// back. Any other edit clears them.
	Undone []Operation `json:"undone,omitempty"`
	// NextKey numbers operations as they are added; an operation keeps its
	// key when others are removed or reordered, so the ids it creates stay.
	NextKey int `json:"nextKey"`
	// Reads are the revisions of the live records the operations read when
	// they were added: applying refuses if any has changed since.
	Reads map[string]int64 `json:"reads,omitempty"`
	// Expansions fingerprint, by operation key, the changes each operation
	// wrote when the scenario was last edited or rebased: what its preview
	// showed. Applying refuses an operation that would write others.
	Expansions map[int]string `json:"expansions,omitempty"`
	// Applied is the decision the scenario was applied by.
	Applied *Meta `json:"applied,omitempty"`
	Rev     int64 `json:"rev"` // bumped by every write, for optimistic concurrency and caches
}

// OperationType names what an operation of a scenario does: one of the
// restructuring operations, or a bulk operation that expands into several.
type OperationType uint8

const (
	OpEstablishOrg OperationType = iota
	OpRenameOrg
	OpTransferOrg
	OpMergeOrgs
	OpSplitOrg
	OpDissolveOrg
	OpChangeOrgKind
	OpAdmitMember
	OpConfirmOfficial
	OpTransferMember
	OpRemoveMember
	OpSetResidence
	OpEndResidence
	OpAssignRole
	OpEndRole
	OpRecordRating
	OpTransferWhere
	OpMergeByMapping
	OpFlattenLevel
	NumOperationTypes = int(OpFlattenLevel) + 1
)

var operationTypes = enumNames[OperationType]{"loại thao tác", []string{
	"ESTABLISH_ORG", "RENAME_ORG", "TRANSFER_ORG", "MERGE_ORGS", "SPLIT_ORG", "DISSOLVE_ORG", "CHANGE_ORG_KIND",
	"ADMIT_MEMBER", "CONFIRM_OFFICIAL", "TRANSFER_MEMBER", "REMOVE_MEMBER", "SET_RESIDENCE", "END_RESIDENCE",
	"ASSIGN_ROLE", "END_ROLE", "RECORD_RATING", "TRANSFER_WHERE", "MERGE_BY_MAPPING", "FLATTEN_LEVEL"}}

func (t OperationType) String() string                { return operationTypes.String(t) }
func (t OperationType) MarshalText() ([]byte, error)  { return operationTypes.Marshal(t) }
func (t *OperationType) UnmarshalText(b []byte) error { return operationTypes.Unmarshal(t, b) }

// Operation is one operation of a scenario: the inputs of the Service method
// of its type, without the decision, which comes when the scenario is applied.
// Only the fields its type uses are set.
type Operation struct {
	Key  int           `json:"key"`
	Type OperationType `json:"type"`

	ID       string `json:"id,omitempty"`       // the organisation operated on
	ParentID string `json:"parentId,omitempty"` // TRANSFER_ORG: the new parent
	Name     string `json:"name,omitempty"`     // RENAME_ORG
	Kind     Kind   `json:"kind"`               // CHANGE_ORG_KIND, FLATTEN_LEVEL
	// ESTABLISH_ORG, SPLIT_ORG, MERGE_ORGS into a new target, CHANGE_ORG_KIND:
	// the cell its members move to
	New      *NewOrg  `json:"new,omitempty"`
	Sources  []string `json:"sources,omitempty"`  // MERGE_ORGS
	TargetID string   `json:"targetId,omitempty"` // MERGE_ORGS, TRANSFER_WHERE
	// DISSOLVE_ORG: where members and sub-organisations go.
	Destination Destination `json:"destination,omitzero"`
	// SPLIT_ORG: what moves to the new organisation.
	MemberIDs []string `json:"memberIds,omitempty"`
	ChildIDs  []string `json:"childIds,omitempty"`

	Admit      *NewMember    `json:"admit,omitempty"`    // ADMIT_MEMBER
	MemberID   string        `json:"memberId,omitempty"` // member operations
	CellID     string        `json:"cellId,omitempty"`   // TRANSFER_MEMBER, SET_RESIDENCE
	Until      Date          `json:"until,omitempty"`    // TRANSFER_MEMBER: a temporary transfer
	Reason     RemovalReason `json:"reason"`             // REMOVE_MEMBER
	Role       Role          `json:"role"`               // ASSIGN_ROLE, END_ROLE
	OrgID      string        `json:"orgId,omitempty"`    // ASSIGN_ROLE, END_ROLE
	HeadOfUnit bool          `json:"headOfUnit,omitempty"`
	Rating     *Rating       `json:"rating,omitempty"` // RECORD_RATING

	Filter  *OrgFilter     `json:"filter,omitempty"`  // TRANSFER_WHERE, FLATTEN_LEVEL
	Mapping []MergeMapping `json:"mapping,omitempty"` // MERGE_BY_MAPPING
	Note    string         `json:"note,omitempty"`
}

// OrgFilter selects organisations of a subtree for a bulk operation.
type OrgFilter struct {
	Within     string   `json:"within"`            // the subtree, its root excluded
	Kinds      []Kind   `json:"kinds,omitempty"`   // any kind when empty
	Sectors    []Sector `json:"sectors,omitempty"` // any sector when empty
	MaxMembers *int     `json:"maxMembers,omitempty"`
	MinMembers *int     `json:"minMembers,omitempty"`
}

// MergeMapping is one merger of a MERGE_BY_MAPPING: sources into a target,
// existing or new.
type MergeMapping struct {
	Sources []string    `json:"sources"`
	Target  MergeTarget `json:"target"`
}

// View is the view of the structure as if the scenario were applied: on its
// base date. A read names either a date or a scenario (ErrDateAndScenario).
func (sc *Scenario) View() View { return View{At: sc.BaseAsOf, Scenario: sc.ID} }

// ErrDateAndScenario refuses a read that names both a date and a scenario.
var ErrDateAndScenario = Errorf(EInvalid, "không dùng được cùng lúc asOf và scenario: phương án được xem vào ngày gốc (baseAsOf) của nó")

// ViewOf is the view a read's asOf and scenario arguments name, if they name
// one (ok): the live structure on date asOf, or scenario applied on its base
// date, read with scenario. A read names one or the other: BAD_USER_INPUT
// for both; scenario's errors otherwise.
func ViewOf(asOf *Date, id *string, scenario func(id string) (Scenario, error)) (v View, ok bool, err error) {
	switch {
	case asOf != nil && id != nil:
		return View{}, false, ErrDateAndScenario
	case asOf != nil:
		return View{At: *asOf}, true, nil
	case id != nil:
		sc, err := scenario(*id)
		if err != nil {
			return View{}, false, err
		}
		return sc.View(), true, nil
	}
	return View{}, false, nil
}

// ScenarioDiff compares a scenario's subtree as it is with as it would be
// once the scenario is applied.
type ScenarioDiff struct {
	AsIs, ToBe Counts // of the whole subtree, its root included
	Figures    []Figure
	Nodes      []NodeChange
	// Added are the findings the scenario brings, its operations' included;
	// Resolved those of the structure it ends.
	Added, Resolved []Violation
}

// Figure is one statistic of a subtree before and after.
type Figure struct {
	Name       string
	AsIs, ToBe float64
}

// Net is the figure's change, ToBe less AsIs: figures are whole or rounded
// to hundredths, and so is their difference.
func (f Figure) Net() float64 { return math.Round((f.ToBe-f.AsIs)*100) / 100 }

// NodeChangeKind is one way an organisation differs after a scenario.
type NodeChangeKind uint8

const (
	NodeNew NodeChangeKind = iota
	NodeEnded
	NodeMoved
	NodeRenamed
	NodeKindChanged
	NodeMembersChanged // its own members, or its subtree's (a commune another merged into)
)

var nodeChangeKinds = enumNames[NodeChangeKind]{"loại thay đổi", []string{"NEW", "ENDED", "MOVED", "RENAMED", "KIND_CHANGED", "MEMBERS_CHANGED"}}

func (k NodeChangeKind) String() string { return nodeChangeKinds.String(k) }

// NodeChange is how one organisation differs; Before is nil for a new one
// and After for one that ends.
type NodeChange struct {
	ID            string
	Kinds         []NodeChangeKind
	Before, After *Org
	MemberDelta   int32 // members of its subtree, after less before
}
