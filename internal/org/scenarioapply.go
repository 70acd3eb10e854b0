package org

import (
	"context"
	"fmt"
)

// ApplyScenario performs an open scenario's operations for real, in one
// transaction, by decision d taking effect on effectiveOn (today when zero):
// each is recorded in the history as the operation it is. It is refused
// while the scenario brings ERROR findings (RULE_VIOLATION), when a live
// record its operations read has changed since (CONFLICT: rebase it), and
// when it is no longer open (CONFLICT).
func (s *Service) ApplyScenario(ctx context.Context, id string, d Decision, effectiveOn Date) (Scenario, []Change, error) {
	at := effectiveOn
	if at == 0 {
		at = s.today()
	}
	meta := Meta{Decision: d, EffectiveOn: at}
	var out Scenario
	var changes []Change
	err := s.mutate(ctx, "applyScenario", []string{id}, func() error {
		if err := s.mayDraft(ctx, id); err != nil {
			return err
		}
		return checkMeta(&meta, at)
	}, func(tx Tx) error {
		sc, err := openScenario(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := decisionUnused(ctx, tx, meta.Decision); err != nil {
			return err
		}
		if err := s.checkSimulated(ctx, &sc, tx); err != nil {
			return err
		}
		ev, err := s.replayOps(ctx, &sc, tx, &meta)
		if err != nil {
			return err
		}
		for i, r := range ev.results {
			if r.Err != nil {
				return prefixed(fmt.Sprintf("thao tác thứ %d (%s)", i+1, sc.Ops[i].Type), r.Err)
			}
		}
		if changes, err = ev.w.flush(ctx, tx); err != nil {
			return err
		}
		sc.Status, sc.Applied, sc.Undone = ScenarioApplied, &meta, nil
		if err := tx.PutScenario(ctx, sc); err != nil {
			return err
		}
		sc.Rev++
		out = sc
		return nil
	})
	if err == nil {
		s.scenarios.forget(id)
		out, changes, err = s.seenApplied(ctx, out, changes)
	}
	return out, changes, err
}

// checkSimulated replays the scenario as simulated: it may not bring ERROR
// findings, nor rest on live records changed since its operations read them.
func (s *Service) checkSimulated(ctx context.Context, sc *Scenario, tx Tx) error {
	ev, err := s.replayOps(ctx, sc, tx, nil)
	if err != nil {
		return err
	}
	for id, rev := range sc.Reads {
		if now, ok := ev.w.reads[id]; ok && now != rev {
			return Errorf(EConflict, "%q đã thay đổi từ khi phương án đọc nó: hãy cập nhật phương án (rebaseScenario)", id)
		}
	}
	for i, r := range ev.results {
		if r.Err != nil {
			return Errorf(EConflict, "thao tác thứ %d (%s) không còn áp dụng được: %s; hãy cập nhật phương án (rebaseScenario)",
				i+1, sc.Ops[i].Type, ErrorMessage(r.Err))
		}
	}
	diff, err := s.diffOf(ctx, ev)
	if err != nil {
		return err
	}
	var blocking []Violation
	for _, v := range diff.Added {
		if v.Rule.Severity == SeverityError {
			blocking = append(blocking, v)
		}
	}
	if len(blocking) > 0 {
		first := blocking[0]
		return &Error{Code: ERule, Rule: first.Rule.ID, Basis: first.Rule.Basis,
			Message: fmt.Sprintf("phương án còn %d vi phạm mức ERROR, ví dụ %q: %s", len(blocking), first.Subject, first.Message)}
	}
	return nil
}

// flush writes what a scenario applied wrote, and its changes, into tx.
func (w *whatIf) flush(ctx context.Context, tx Tx) ([]Change, error) {
	for _, id := range sortedKeys(w.orgs) {
		if err := tx.PutOrg(ctx, *w.orgs[id]); err != nil {
			return nil, err
		}
	}
	for _, id := range sortedKeys(w.members) {
		if err := tx.PutMember(ctx, *w.members[id]); err != nil {
			return nil, err
		}
	}
	changes := make([]Change, len(w.changes))
	for i := range w.changes {
		changes[i] = w.changes[i]
		changes[i].Seq = 0
		if err := tx.RecordChange(ctx, &changes[i]); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// RebaseScenario replays an open scenario over the live structure as it is
// now, optionally on a new base date, and takes the revisions it reads now
// as its baseline; the results say which operations no longer apply.
func (s *Service) RebaseScenario(ctx context.Context, id string, baseAsOf Date) (ScenarioEvaluation, error) {
	_, err := s.editScenario(ctx, "rebaseScenario", id, func(sc *Scenario) (int, error) {
		sc.Reads = nil
		if baseAsOf != 0 {
			sc.BaseAsOf = baseAsOf
		}
		return len(sc.Ops), nil
	})
	if err != nil {
		return ScenarioEvaluation{}, err
	}
	return s.Evaluate(ctx, id)
}
