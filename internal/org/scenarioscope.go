package org

import (
	"context"
	"slices"
)

// Scenario reads a scenario the caller may see: one over a subtree of theirs.
func (r *scoped) Scenario(ctx context.Context, id string) (Scenario, error) {
	sc, err := r.store.Scenario(ctx, id)
	if err != nil {
		return Scenario{}, err
	}
	if err := r.seeScenario(ctx, &sc); err != nil {
		return Scenario{}, err
	}
	return sc, r.trimScenario(ctx, &sc)
}

// trimScenario masks, in place, the personal data of the members its
// operations admit unless the caller's role reads it, and the issuer of the
// decision it was applied by when the caller does not see it, as in the history.
func (r *scoped) trimScenario(ctx context.Context, sc *Scenario) error {
	if !r.p.Can(ReadPersonal) {
		sc.Ops = slices.Clone(sc.Ops)
		for i, op := range sc.Ops {
			if op.Admit != nil {
				admit := *op.Admit
				admit.Personal = Personal{}
				sc.Ops[i].Admit = &admit
			}
		}
	}
	if sc.Applied == nil {
		return nil
	}
	c, err := r.trimChanges(ctx, []Change{{EffectiveOn: sc.Applied.EffectiveOn, Decision: sc.Applied.Decision}})
	if err != nil {
		return err
	}
	applied := *sc.Applied
	applied.Decision = c[0].Decision
	sc.Applied = &applied
	return nil
}

// SeeScenario is scoped.seeScenario for principal p, for the checks of writes.
func (s *Service) SeeScenario(ctx context.Context, p *Principal, sc *Scenario) error {
	return (&scoped{store: s.store, p: p, today: s.today()}).seeScenario(ctx, sc)
}

// seeScenario is the NOT_FOUND of a missing scenario unless the caller sees
// the root of its subtree.
func (r *scoped) seeScenario(ctx context.Context, sc *Scenario) error {
	if err := r.seeOrg(ctx, View{At: sc.BaseAsOf}, sc.Within); err != nil {
		return NotFound("phương án", sc.ID)
	}
	return nil
}

// Scenarios lists the scenarios the caller may see, newest first.
func (r *scoped) Scenarios(ctx context.Context) ([]Scenario, error) {
	all, err := r.store.Scenarios(ctx)
	if err != nil {
		return nil, err
	}
	seen := slices.DeleteFunc(all, func(sc Scenario) bool { return r.seeScenario(ctx, &sc) != nil })
	for i := range seen {
		if err := r.trimScenario(ctx, &seen[i]); err != nil {
			return nil, err
		}
	}
	return seen, nil
}
