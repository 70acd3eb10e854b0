package org

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
	"io"
	"log/slog"
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
	scenarios  Scenarios // reads in a scenario's view; nil: none are read
	live       *liveFeed // the changes followed live (live.go)
	// under, sim and ids are set on a copy of the Service over a scenario's
	// store (Simulating): the live store under it, how its operations run
	// and where their new ids come from.
	under Store
	sim   *Simulation
	ids   func(prefix string) string
	// now is when a change is recorded (time.Now when nil); see Generator.
	now func() time.Time
	// heads keeps, by store revision, caller's subtree and within, the
	// changes a caller who does not work everywhere may list, for counting
	// (history.go); nil on a scenario's copy.
	heads     *lru.Cache[string, []changeHead]
	headsOnce *singleflight.Group
	// log is where what the service cannot return goes (a failed action it
	// could not audit); slog's default logger when not set.
	log *slog.Logger
}

var _ Reader = (*Service)(nil)

// NewService returns a service over store; today tells the date writes take
// effect on (Today when nil).
func NewService(store Store, today func() Date) *Service {
	if today == nil {
		today = Today
	}
	heads, _ := lru.New[string, []changeHead](64)
	return &Service{store: store, today: today, chartLimit: DefaultChartLimit, live: newLiveFeed(),
		heads: heads, headsOnce: &singleflight.Group{}}
}

// Scenarios evaluates scenarios for the reads that name one (View.Scenario);
// internal/scenario implements it.
type Scenarios interface {
	// WhatIf is a Service whose reads answer as if scenario id were
	// applied, on its base date, and the organisations whose subtrees it
	// changes: the caller's scope there. NOT_FOUND unless the caller sees
	// the scenario; CONFLICT once it is applied or discarded.
	WhatIf(ctx context.Context, id string) (sim *Service, roots []string, err error)
	// Violations is Service.Violations in scenario id's view, its
	// operations' findings included; errors as WhatIf.
	Violations(ctx context.Context, id, within string, subtree bool, least Severity) ([]Violation, error)
	// Diff compares scenario id's subtree before and after it; errors as WhatIf.
	Diff(ctx context.Context, id string) (ScenarioDiff, error)
}

// SetLogger has the service log through l: the command's logger, in its
// format and to its output.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// logger is the service's logger.
func (s *Service) logger() *slog.Logger {
	if s.log == nil {
		return slog.Default()
	}
	return s.log
}

// SetScenarios has the service read scenarios' views through sc.
func (s *Service) SetScenarios(sc Scenarios) { s.scenarios = sc }

// evaluator is the Scenarios of the service, NOT_FOUND for every scenario
// when none is set.
func (s *Service) evaluator(id string) (Scenarios, error) {
	if s.scenarios == nil {
		return nil, NotFound("phương án", id)
	}
	return s.scenarios, nil
}

// Simulation is how a copy of the Service runs a scenario's operations.
type Simulation struct {
	// Draft leaves the decision unchecked: it comes when the scenario is
	// applied. Otherwise one decision of a committee above everything the
	// scenario changes applies it.
	Draft bool
	// Key is the operation running; Findings are the rule findings of
	// those run so far that do not stop them (Violation.Interim).
	Key      int
	Findings []Violation
}

// found records a rule finding of the operation running.
func (sim *Simulation) found(e *Error, subject string) {
	sim.Findings = append(sim.Findings, Violation{Rule: RuleByID(e.Rule), Subject: subject, Message: e.Message,
		OperationKey: sim.Key, Interim: true})
}

// RuleByID is the rule of that id (one of severity ERROR if it is unknown).
func RuleByID(id string) Rule {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return Rule{ID: id, Severity: SeverityError}
}

// Simulating is a copy of the Service over store, a scenario's over the
// live one, on date at: its operations run as sim says (reads only when
// nil) and take their new ids from ids (random when nil).
func (s *Service) Simulating(store Store, at Date, sim *Simulation, ids func(prefix string) string) *Service {
	c := *s
	c.under, c.store, c.sim, c.ids = s.store, store, sim, ids
	c.heads = nil
	c.today = func() Date { return at }
	return &c
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

// Caller is who calls, with what they may do; a request without one is refused.
func Caller(ctx context.Context) (*Principal, error) {
	if p, ok := PrincipalFrom(ctx); ok {
		return p, nil
	}
	return nil, Errorf(EUnauthorized, "cần đăng nhập (thiếu mã thông báo truy cập)")
}

// Require is the caller if they may do perm, FORBIDDEN otherwise.
func Require(ctx context.Context, perm Permission) (*Principal, error) {
	p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Can(perm) {
		return nil, Errorf(EForbidden, "vai trò của bạn không được phép thực hiện thao tác này")
	}
	return p, nil
}
