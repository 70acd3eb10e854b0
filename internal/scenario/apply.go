package scenario

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"dangbo/internal/org"
)

// Apply performs an open scenario's operations for real, in one
// transaction, by decision d taking effect on effectiveOn (the scenario's
// base date when zero): each is recorded in the history as the operation it
// is. It writes exactly what the scenario's preview shows, or nothing:
//   - CONFLICT when effectiveOn is not the base date the preview is of
//     (rebase the scenario onto that date and review it), when a live record
//     its operations read has changed since, when an operation would now
//     write other changes than when it was last edited or rebased (the
//     operations are named), and when it is no longer open;
//   - RULE_VIOLATION while its result breaks a rule of severity ERROR, and
//     (R9) when the decision's committee is not above everything it changes;
//   - BAD_USER_INPUT when it has no operation that changes anything.
func (s *Service) Apply(ctx context.Context, id string, d org.Decision, effectiveOn org.Date) (org.Scenario, []org.Change, error) {
	meta := org.Meta{Decision: d, EffectiveOn: effectiveOn}
	var out org.Scenario
	var changes []org.Change
	err := s.svc.Mutate(ctx, "applyScenario", []string{id}, func() error {
		if err := s.mayDraft(ctx, id); err != nil {
			return err
		}
		sc, err := s.store.Scenario(ctx, id)
		if err != nil {
			return err
		}
		if meta.EffectiveOn == 0 {
			meta.EffectiveOn = sc.BaseAsOf
		}
		if err := org.CheckMeta(&meta, meta.EffectiveOn); err != nil {
			return err
		}
		// The findings the scenario shows decide, every rule's: the
		// replay in the transaction below sees only those its chart and
		// its operations decide. Read here, before it: a second
		// transaction inside it would wait for it.
		added, _, _, err := s.scenarioFindings(ctx, id, org.SeverityError)
		if err != nil {
			return err
		}
		return blocking(added)
	}, func(tx org.Tx) error {
		sc, err := openScenario(ctx, tx, id)
		if err != nil {
			return err
		}
		if sc.BaseAsOf != meta.EffectiveOn {
			return org.Errorf(org.EConflict, "phương án %s được mô phỏng vào ngày %s, khác ngày có hiệu lực %s: hãy cập nhật phương án "+
				"sang ngày %s (rebaseScenario với baseAsOf) và xem lại kết quả trước khi áp dụng",
				org.Quoted(sc.Name), sc.BaseAsOf, meta.EffectiveOn, meta.EffectiveOn)
		}
		if len(sc.Ops) == 0 {
			return org.Errorf(org.EInvalid, "phương án %s chưa có thao tác nào", org.Quoted(sc.Name))
		}
		if err := s.checkSimulated(ctx, &sc, tx); err != nil {
			return err
		}
		ev, err := s.replayOps(ctx, &sc, tx, &meta)
		if err != nil {
			return err
		}
		if err := ev.applies(&sc); err != nil {
			return err
		}
		if err := org.DecisionAgrees(ctx, tx, meta.Decision); err != nil {
			return err
		}
		if changes, err = ev.w.flush(ctx, tx); err != nil {
			return err
		}
		if len(changes) == 0 {
			return org.Errorf(org.EInvalid, "phương án %s không tạo ra thay đổi nào vào ngày %s", org.Quoted(sc.Name), meta.EffectiveOn)
		}
		sc.Status, sc.Applied, sc.Undone = org.ScenarioApplied, &meta, nil
		if err := tx.PutScenario(ctx, sc); err != nil {
			return err
		}
		sc.Rev++
		out = sc
		return nil
	})
	if err == nil {
		s.cache.forget(id)
		out, changes, err = s.svc.SeenScenario(ctx, out, changes)
	}
	return out, changes, err
}

// applies checks a scenario replayed by its decision: every operation ran,
// every part of a bulk one too (a part the decision's committee may not
// order is R9), and each wrote what it wrote when the scenario was last
// edited or rebased, which is what its preview shows.
func (ev *evaluation) applies(sc *org.Scenario) error {
	for i, r := range ev.results {
		if r.Err != nil {
			return org.Prefixed(fmt.Sprintf("thao tác thứ %d (%s)", i+1, sc.Ops[i].Type), r.Err)
		}
	}
	for _, f := range ev.w.findings {
		if f.Rule.ID == org.RuleIssuer.ID {
			msg := f.Message
			if o, ok := ev.w.tree.Get(f.Subject); ok {
				msg = org.Quoted(o.Name) + ": " + msg
			}
			return &org.Error{Code: org.ERule, Rule: f.Rule.ID, Basis: f.Rule.Basis, Message: msg}
		}
	}
	if sc.Expansions == nil {
		return nil // drafted before previews were fingerprinted: checkSimulated stands for them
	}
	var differ []string
	for i, fp := range ev.expansions() {
		if sc.Expansions[sc.Ops[i].Key] != fp {
			differ = append(differ, fmt.Sprintf("thứ %d (%s)", i+1, sc.Ops[i].Type))
		}
	}
	if len(differ) > 0 {
		return org.Errorf(org.EConflict, "áp dụng lúc này sẽ ghi khác với kết quả mô phỏng đã xem ở các thao tác %s: "+
			"hãy cập nhật phương án (rebaseScenario) và xem lại trước khi áp dụng", strings.Join(differ, ", "))
	}
	return nil
}

// expansions fingerprints, for each operation, the changes its replay wrote:
// their types, effective dates, subjects and the records they wrote (a cell
// established since under a commune merged moves with it), whatever
// decision ordered them.
func (ev *evaluation) expansions() []string {
	out := make([]string, len(ev.results))
	next := 0
	for i, r := range ev.results {
		h := sha256.New()
		for _, c := range ev.w.changes[next : next+r.Changes] {
			fmt.Fprintf(h, "%s|%s|%s|", c.Type, c.EffectiveOn, strings.Join(c.Subjects, ","))
			for _, r := range c.After {
				fmt.Fprintf(h, "%s,", r.ID())
			}
			fmt.Fprintln(h)
		}
		next += r.Changes
		out[i] = hex.EncodeToString(h.Sum(nil)[:12])
	}
	return out
}

// checkSimulated replays the scenario as simulated: it may not bring ERROR
// findings, nor rest on live records changed since its operations read them.
func (s *Service) checkSimulated(ctx context.Context, sc *org.Scenario, tx org.Tx) error {
	ev, err := s.replayOps(ctx, sc, tx, nil)
	if err != nil {
		return err
	}
	for id, rev := range sc.Reads {
		if now, ok := ev.w.reads[id]; ok && now != rev {
			return org.Errorf(org.EConflict, "%s đã thay đổi từ khi phương án đọc nó: hãy cập nhật phương án (rebaseScenario)", ev.w.label(ctx, tx, id))
		}
	}
	for i, r := range ev.results {
		switch {
		case r.Err == nil:
		case org.ErrorCode(r.Err) == org.ERule:
			// Kept in the scenario as the Charter's refusal: it blocks.
			return org.Prefixed(fmt.Sprintf("thao tác thứ %d (%s)", i+1, sc.Ops[i].Type), r.Err)
		default:
			return org.Errorf(org.EConflict, "thao tác thứ %d (%s) không còn áp dụng được: %s; hãy cập nhật phương án (rebaseScenario)",
				i+1, sc.Ops[i].Type, org.ErrorMessage(r.Err))
		}
	}
	// Read through tx: a second transaction inside this one would wait for
	// a connection (or, on the fake driver, for this one) to be released.
	diff, err := diffOf(ctx, ev, tx)
	if err != nil {
		return err
	}
	return blocking(diff.Added)
}

// blocking refuses a scenario that brings findings of severity ERROR,
// counting them.
func blocking(added []org.Violation) error {
	var errs []org.Violation
	for _, v := range added {
		if v.Rule.Severity == org.SeverityError {
			errs = append(errs, v)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	first := errs[0]
	return &org.Error{Code: org.ERule, Rule: first.Rule.ID, Basis: first.Rule.Basis,
		Message: fmt.Sprintf("phương án còn %d vi phạm mức ERROR, ví dụ: %s", len(errs), first.Message)}
}

// flush writes what a scenario applied wrote, its changes, and the live
// changes its operations re-placed, into tx.
func (w *whatIf) flush(ctx context.Context, tx org.Tx) ([]org.Change, error) {
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
	changes := make([]org.Change, len(w.changes))
	for i := range w.changes {
		changes[i] = w.changes[i]
		changes[i].Seq = 0
		if err := tx.RecordChange(ctx, &changes[i]); err != nil {
			return nil, err
		}
	}
	if len(w.rescoped) > 0 {
		rescoped := make([]org.Change, 0, len(w.rescoped))
		for _, seq := range slices.Sorted(maps.Keys(w.rescoped)) {
			rescoped = append(rescoped, w.rescoped[seq])
		}
		if err := tx.Rescope(ctx, rescoped); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// Rebase replays an open scenario over the live structure as it is
// now, optionally on a new base date, and takes the revisions it reads now
// as its baseline; the results say which operations no longer apply.
func (s *Service) Rebase(ctx context.Context, id string, baseAsOf org.Date) (Evaluation, error) {
	_, err := s.edit(ctx, "rebaseScenario", id, func(sc *org.Scenario) (int, error) {
		sc.Reads = nil
		if baseAsOf != 0 {
			sc.BaseAsOf = baseAsOf
		}
		return len(sc.Ops), nil
	})
	if err != nil {
		return Evaluation{}, err
	}
	return s.Evaluate(ctx, id)
}
