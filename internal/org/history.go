package org

import (
	"context"
	"strconv"
	"time"
)

// ChangeType is what a restructuring operation did.
type ChangeType uint8

const (
	ChangeEstablished ChangeType = iota
	ChangeRenamed
	ChangeTransferred
	ChangeMerged
	ChangeSplit
	ChangeDissolved
	ChangeKindChanged
	ChangeAdmitted
	ChangeConfirmed
	ChangeMemberTransferred
	ChangeMemberRemoved
	ChangeResidenceSet
	ChangeResidenceEnded
	ChangeRoleAssigned
	ChangeRoleEnded
	ChangeRated
	NumChangeTypes = iota
)

var changeTypes = enumNames[ChangeType]{"loại thay đổi", []string{
	"ESTABLISHED", "RENAMED", "TRANSFERRED", "MERGED", "SPLIT", "DISSOLVED", "KIND_CHANGED",
	"MEMBER_ADMITTED", "MEMBER_CONFIRMED", "MEMBER_TRANSFERRED", "MEMBER_REMOVED",
	"RESIDENCE_SET", "RESIDENCE_ENDED", "ROLE_ASSIGNED", "ROLE_ENDED", "RATING_RECORDED",
}}

func (t ChangeType) String() string                { return changeTypes.String(t) }
func (t ChangeType) MarshalText() ([]byte, error)  { return changeTypes.Marshal(t) }
func (t *ChangeType) UnmarshalText(b []byte) error { return changeTypes.Unmarshal(t, b) }

// Decision is the decision that orders an operation: its number, the date it
// was signed and the committee that issued it.
type Decision struct {
	Number   string `json:"number"`
	Date     Date   `json:"date"`
	IssuerID string `json:"issuerId"`
}

// Meta is what every restructuring operation carries besides its own input.
type Meta struct {
	Decision    Decision
	EffectiveOn Date // zero: today
	Note        string
}

// Change is one applied operation, immutable once recorded: the history that
// answers "what happened, when, by whose decision".
type Change struct {
	Seq         int64      `json:"seq"` // given by the store, increasing
	Type        ChangeType `json:"type"`
	EffectiveOn Date       `json:"effectiveOn"`
	Decision    Decision   `json:"decision"`
	Note        string     `json:"note,omitempty"`
	Actor       string     `json:"actor"` // the subject who recorded it
	RecordedAt  time.Time  `json:"recordedAt"`
	// Subjects are the organisations and members the operation named.
	Subjects []string `json:"subjects"`
	// Scope holds every organisation whose subtree the change touched, on its
	// effective date, before and after it: a change lies within an
	// organisation when the organisation is in its scope.
	Scope []string `json:"scope"`
	// Before and After are the records the change touched as they were and as
	// it left them; Before lacks the records it created.
	Before []Record `json:"before,omitempty"`
	After  []Record `json:"after,omitempty"`
}

// Within reports whether the change touched the subtree of organisation id.
func (c *Change) Within(id string) bool {
	for _, s := range c.Scope {
		if s == id {
			return true
		}
	}
	return false
}

// ChangeQuery selects changes of the history.
type ChangeQuery struct {
	Within string // only changes within this organisation's subtree; empty: all
	// Since and Until bound the effective dates, [Since, Until); zero for no bound.
	Since, Until Date
	Types        []ChangeType // empty: all
	First        int
	After        string // cursor of the last change of the previous page
}

// Matches reports whether c is one of the changes q selects, paging aside.
func (q *ChangeQuery) Matches(c *Change) bool {
	if c.EffectiveOn < q.Since || q.Until != 0 && c.EffectiveOn >= q.Until {
		return false
	}
	if len(q.Types) > 0 && !containsType(q.Types, c.Type) {
		return false
	}
	return q.Within == "" || c.Within(q.Within)
}

func containsType(ts []ChangeType, t ChangeType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// ChangePage is one page of changes, by effective date, then sequence.
type ChangePage struct {
	Changes []Change
	HasNext bool
}

// CompareChanges orders changes by effective date, then sequence number: the
// order of the history and of its cursors.
func CompareChanges(a, b *Change) int {
	if a.EffectiveOn != b.EffectiveOn {
		return int(a.EffectiveOn) - int(b.EffectiveOn)
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// ChangeCursor is the cursor just after change c.
func ChangeCursor(c *Change) string {
	return encodeCursor(c.EffectiveOn.String(), strconv.FormatInt(c.Seq, 10))
}

// DecodeChangeCursor reads a cursor made by ChangeCursor as the position it
// names: a change with that effective date and sequence number.
func DecodeChangeCursor(s string) (Change, error) {
	parts, err := decodeCursor(s, 2)
	if err != nil {
		return Change{}, err
	}
	d, err := ParseDate(parts[0])
	if err != nil {
		return Change{}, errBadCursor
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Change{}, errBadCursor
	}
	return Change{EffectiveOn: d, Seq: seq}, nil
}

// ChangeCounts counts changes by type.
type ChangeCounts [NumChangeTypes]int

// historyQuery checks a history query from a caller and fits it to their
// scope: a caller who does not work everywhere reads within their scope.
func (s *Service) historyQuery(ctx context.Context, q *ChangeQuery) error {
	p, err := require(ctx, ReadStructure)
	if err != nil {
		return err
	}
	if q.Until != 0 && q.Until < q.Since {
		return Errorf(EInvalid, "until (%s) phải sau since (%s)", q.Until, q.Since)
	}
	if q.Within == "" && !p.Everywhere() {
		if len(p.Scope) != 1 {
			return Errorf(EInvalid, "hãy chọn tổ chức (within) để xem lịch sử thay đổi")
		}
		q.Within = p.Scope[0]
	}
	if q.Within != "" && !p.Everywhere() {
		ok, err := s.store.Covers(ctx, s.Now(), p.Scope, []string{q.Within})
		if err != nil {
			return err
		}
		if !ok[0] {
			// Scope is checked on today's structure: the history of a subtree
			// that has ended is for callers who work everywhere.
			return notFound("tổ chức", q.Within)
		}
	}
	return nil
}

// Changes lists the history, by effective date, then sequence number.
func (s *Service) Changes(ctx context.Context, q ChangeQuery) (ChangePage, error) {
	if err := s.historyQuery(ctx, &q); err != nil {
		return ChangePage{}, err
	}
	if q.First < 0 || q.First > MaxPageSize {
		return ChangePage{}, Errorf(EInvalid, "first phải từ 0 đến %d, nhận %d", MaxPageSize, q.First)
	}
	return s.store.Changes(ctx, q)
}

// ChangeCounts counts the changes q selects by type ("established 232,
// dissolved 225, merged 198, admitted 6,225").
func (s *Service) ChangeCounts(ctx context.Context, q ChangeQuery) (ChangeCounts, error) {
	if err := s.historyQuery(ctx, &q); err != nil {
		return ChangeCounts{}, err
	}
	return s.store.ChangeCounts(ctx, q)
}
