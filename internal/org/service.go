package org

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"io"
	"strings"
	"time"
)

// Service is what the API calls: reads that show a caller only their part of
// the structure, and operations that change it, each validated against the
// Charter's rules and the caller's rights before anything is written.
//
// Who calls comes from the context (WithPrincipal). Outside their scope an
// organisation, and a member whose cell it is, behave exactly as if they did
// not exist, so no answer tells a caller more than their subtrees.
type Service struct {
	store      Store
	today      func() Date
	chartLimit int
	scenarios  *evaluations
	live       *liveFeed // the changes followed live (live.go)
	// replay and ids are set on the copy of the Service that replays a
	// scenario: how its operations run and where their new ids come from.
	replay *replay
	ids    func(prefix string) string
	// now is when a change is recorded (time.Now when nil); see Generator.
	now func() time.Time
}

var _ Reader = (*Service)(nil)

// NewService returns a service over store; today tells the date writes take
// effect on (Today when nil).
func NewService(store Store, today func() Date) *Service {
	if today == nil {
		today = Today
	}
	return &Service{store: store, today: today, chartLimit: DefaultChartLimit,
		scenarios: newEvaluations(), live: newLiveFeed()}
}

// newID is a fresh id for something an operation creates.
func (s *Service) newID(prefix string) string {
	if s.ids != nil {
		return s.ids(prefix)
	}
	return NewID(prefix)
}

// SetChartLimit sets the most nodes a chart may hold (DefaultChartLimit unless set).
func (s *Service) SetChartLimit(n int) { s.chartLimit = n }

// Today is the date the service considers current.
func (s *Service) Today() Date { return s.today() }

// Now is the view of the structure as it stands today.
func (s *Service) Now() View { return View{At: s.today()} }

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a fresh random id with the given one-letter prefix ("o" for an
// organisation, "m" for a member), so that an id says what it names.
func NewID(prefix string) string { return NewIDFrom(prefix, rand.Reader) }

// NewIDFrom is NewID with its random bits read from random: a seeded source
// gives the same ids every time, as the demo data needs.
func NewIDFrom(prefix string, random io.Reader) string {
	var b [10]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		panic("org: reading random bits for an id: " + err.Error()) // crypto/rand never fails
	}
	return prefix + idEncoding.EncodeToString(b[:])
}

// NewPageQuery checks a page request from a client: first defaults to
// DefaultPageSize and may not exceed MaxPageSize.
func NewPageQuery(first *int, after *string) (PageQuery, error) {
	q := PageQuery{First: DefaultPageSize}
	if first != nil {
		if err := checkFirst(*first); err != nil {
			return q, err
		}
		q.First = *first
	}
	if after != nil {
		q.After = *after // the list that reads it checks it
	}
	return q, nil
}

// checkFirst checks a page size, the same bounds on every list.
func checkFirst(first int) error {
	if first < 0 || first > MaxPageSize {
		return Errorf(EInvalid, "first phải từ 0 đến %d, nhận %d", MaxPageSize, first)
	}
	return nil
}

// cleanText trims an optional free-text field and bounds its length.
func cleanText(what, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return CleanName(what, s)
}

// caller is who calls, with what they may do; a request without one is refused.
func caller(ctx context.Context) (*Principal, error) {
	if p, ok := PrincipalFrom(ctx); ok {
		return p, nil
	}
	return nil, Errorf(EUnauthorized, "cần đăng nhập (thiếu mã thông báo truy cập)")
}

// require is the caller if they may do perm, FORBIDDEN otherwise.
func require(ctx context.Context, perm Permission) (*Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Can(perm) {
		return nil, Errorf(EForbidden, "vai trò của bạn không được phép thực hiện thao tác này")
	}
	return p, nil
}
