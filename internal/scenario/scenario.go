// Package scenario drafts, evaluates and applies scenarios (phương án):
// restructurings a board simulates on the live structure before deciding.
//
// A scenario's operations are the domain's own (org.Operation), replayed on
// a copy of org.Service over an overlay store (whatIf: the live records with
// the scenario's writes over them) on the scenario's base date. Reads in a
// scenario's view go through org.Service as any read, so scope and masking
// hold there too: this package implements org.Scenarios for them.
//
// Where things are: edit.go (drafting, the replay cache), replay.go,
// whatif.go (the overlay store), diff.go (before and after, findings),
// apply.go (performing a scenario by a decision).
package scenario

import (
	"dangbo/internal/org"
)

// Service drafts, evaluates and applies scenarios for callers of the
// domain's Service svc over store.
type Service struct {
	svc   *org.Service
	store org.Store
	cache *evaluations
}

// New returns the scenarios of svc, whose store is store, and has svc read
// scenarios' views through them.
func New(svc *org.Service, store org.Store) *Service {
	s := &Service{svc: svc, store: store, cache: newEvaluations()}
	svc.SetScenarios(s)
	return s
}

var _ org.Scenarios = (*Service)(nil)
