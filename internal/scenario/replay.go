package scenario

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// OpResult is what one operation of a scenario did when it was last replayed.
type OpResult struct {
	Key     int
	Err     error    // why it could not be applied, nil if it was
	Created []string // the ids of what it established or admitted
	Changes int      // how many changes it made (a bulk operation makes several)
}

// evaluation is a scenario replayed over the live structure.
type evaluation struct {
	scenario org.Scenario
	w        *whatIf
	results  []OpResult
	revision uint64 // the store's revision it was made at
}

// replayed replays sc over the live structure on its base date, in a read
// transaction: a what-if read takes no lock that writers wait for. rev is the
// store's revision read before: a write that commits meanwhile leaves the
// evaluation stale, not wrong.
func (s *Service) replayed(ctx context.Context, sc *org.Scenario, rev uint64) (*evaluation, error) {
	var ev *evaluation
	err := s.store.View(ctx, func(tx org.Tx) error {
		var err error
		ev, err = s.replayOps(ctx, sc, tx, nil)
		return err
	})
	if ev != nil {
		ev.revision = rev
	}
	return ev, err
}

// replaying is a scenario's operations running on a copy of the domain's
// Service over the scenario's store.
type replaying struct {
	svc      *org.Service
	w        *whatIf
	sim      *org.Simulation
	scenario string
	ids      func(prefix string) string // the operation running's (idSource)
}

// replayOps runs sc's operations over the live records src reads, on the
// scenario's base date to simulate it, or by decision meta to apply it.
func (s *Service) replayOps(ctx context.Context, sc *org.Scenario, src org.Tx, apply *org.Meta) (*evaluation, error) {
	at := sc.BaseAsOf
	if apply != nil {
		at = apply.EffectiveOn
	}
	roots := []string{sc.Within}
	if err := src.Load(ctx, org.WorkingSet{At: at, Subtrees: roots}); err != nil {
		return nil, err
	}
	live, err := subtree(ctx, src, at, sc.Within)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{scenario: *sc, w: newWhatIf(s.store, src, at, roots, live)}
	r := &replaying{w: ev.w, sim: &org.Simulation{Draft: apply == nil}, scenario: sc.ID}
	r.svc = s.svc.Simulating(ev.w, at, r.sim, func(prefix string) string { return r.ids(prefix) })
	meta := org.Meta{Decision: org.Decision{Number: "PA " + sc.ID, Date: at, IssuerID: sc.Within}, EffectiveOn: at}
	if apply != nil {
		meta = *apply
	}
	// Inside the scenario the caller works in its subtree only, whatever
	// their role: an operation outside it is refused as naming nothing.
	p, err := org.Caller(ctx)
	if err != nil {
		return nil, err
	}
	ctx = org.WithPrincipal(ctx, p.ConfinedTo(roots))
	for _, op := range sc.Ops {
		ev.results = append(ev.results, r.runOp(ctx, op, meta))
	}
	ev.w.findings = r.sim.Findings
	ev.w.src = nil
	ev.w.indexMembers()
	return ev, nil
}

// subtree is the tree of organisation root's subtree on date at, read from
// the live structure in transaction src: a read in a transaction of its own
// would wait for a second connection of the store's pool while src holds one.
func subtree(ctx context.Context, src org.Tx, at org.Date, root string) (*tree.Tree, error) {
	nodes, err := src.ChartNodes(ctx, org.View{At: at}, org.ChartQuery{RootID: root, Depth: -1}, math.MaxInt)
	if err != nil {
		return nil, err
	}
	t := tree.New(at)
	for i := range nodes {
		t.Set(nodes[i].Org)
		t.SetDirect(nodes[i].ID, nodes[i].Counts.DirectOfficial, nodes[i].Counts.DirectProbationary)
	}
	return t, t.Recount()
}

// runOp runs one operation of the scenario.
func (r *replaying) runOp(ctx context.Context, op org.Operation, meta org.Meta) OpResult {
	res := OpResult{Key: op.Key}
	r.ids = idSource(r.scenario, op.Key, &res.Created)
	r.sim.Key = op.Key
	meta.Note = op.Note
	mark, changes := len(r.sim.Findings), len(r.w.changes)
	res.Err = r.run(ctx, op, meta)
	if res.Err != nil {
		r.sim.Findings = r.sim.Findings[:mark]
		var e *org.Error
		if errors.As(res.Err, &e) && e.Code == org.ERule {
			// An operation the Charter forbids stays in the scenario, not
			// applied, and blocks applying it.
			r.sim.Findings = append(r.sim.Findings, org.Violation{Rule: org.RuleByID(e.Rule), Subject: subject(&op),
				Message: "thao tác không thực hiện được: " + e.Message, OperationKey: op.Key})
		}
	}
	res.Changes = len(r.w.changes) - changes
	for _, c := range r.w.changes[changes:] {
		for _, rec := range c.After {
			r.w.writtenBy[rec.ID()] = op.Key
		}
	}
	return res
}

// idSource gives the ids an operation creates: the same on every replay of
// the same operation, so that later operations can name them.
func idSource(scenario string, key int, created *[]string) func(string) string {
	seed := sha256.Sum256(fmt.Appendf(nil, "%s/%d", scenario, key))
	random := rand.NewChaCha8(seed)
	return func(prefix string) string {
		id := org.NewIDFrom(prefix, random)
		*created = append(*created, id)
		return id
	}
}

// subject is the organisation or member an operation is about.
func subject(op *org.Operation) string {
	for _, id := range []string{op.ID, op.MemberID, op.TargetID} {
		if id != "" {
			return id
		}
	}
	if len(op.Sources) > 0 {
		return op.Sources[0]
	}
	return ""
}

// run performs one operation: the bulk ones here, which select in the
// scenario's tree, the others as the domain does.
func (r *replaying) run(ctx context.Context, op org.Operation, meta org.Meta) error {
	switch op.Type {
	case org.OpTransferWhere:
		return r.transferWhere(ctx, op, meta)
	case org.OpMergeByMapping:
		return r.mergeByMapping(ctx, op, meta)
	case org.OpFlattenLevel:
		return r.flattenLevel(ctx, op, meta)
	}
	return r.svc.Run(ctx, op, meta)
}

// part runs one part of a bulk operation: a part the Charter forbids is a
// finding and the rest goes on; any other failure fails the whole operation.
func (r *replaying) part(subject string, err error) error {
	var e *org.Error
	if err == nil || !errors.As(err, &e) || e.Code != org.ERule {
		return err
	}
	r.sim.Findings = append(r.sim.Findings, org.Violation{Rule: org.RuleByID(e.Rule), Subject: subject,
		Message: "không thực hiện được: " + e.Message, OperationKey: r.sim.Key})
	return nil
}

// selected lists the organisations of the scenario's tree that filter f
// selects, parents before children, leaving out any below one selected.
func (r *replaying) selected(f *org.OrgFilter, match func(*org.Org) bool) ([]org.Org, error) {
	nodes, err := r.w.tree.ChartNodes(org.ChartQuery{RootID: f.Within, Depth: -1}, math.MaxInt)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	var out []org.Org
	for _, n := range nodes[1:] {
		if taken[n.ParentID] {
			taken[n.ID] = true
			continue
		}
		if matches(f, &n.Org) && match(&n.Org) {
			taken[n.ID] = true
			out = append(out, n.Org)
		}
	}
	return out, nil
}

func matches(f *org.OrgFilter, o *org.Org) bool {
	members := int(o.Counts.Members())
	return (len(f.Kinds) == 0 || slices.Contains(f.Kinds, o.Kind)) &&
		(len(f.Sectors) == 0 || slices.Contains(f.Sectors, o.Sector)) &&
		(f.MaxMembers == nil || members <= *f.MaxMembers) &&
		(f.MinMembers == nil || members >= *f.MinMembers)
}

// transferWhere moves every organisation the filter selects under the target.
func (r *replaying) transferWhere(ctx context.Context, op org.Operation, meta org.Meta) error {
	t := r.w.tree
	if !t.Has(op.TargetID) {
		return org.NotFound("tổ chức nhận", op.TargetID)
	}
	orgs, err := r.selected(op.Filter, func(o *org.Org) bool {
		// The target, what already sits under it and what holds it stay.
		return o.ID != op.TargetID && o.ParentID != op.TargetID && !t.Within(op.TargetID, o.ID)
	})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		_, err := r.svc.TransferOrg(ctx, o.ID, op.TargetID, meta)
		if err := r.part(o.ID, err); err != nil {
			return org.Prefixed(o.Name, err)
		}
	}
	return nil
}

// mergeByMapping runs each merger of the mapping.
func (r *replaying) mergeByMapping(ctx context.Context, op org.Operation, meta org.Meta) error {
	for _, m := range op.Mapping {
		_, err := r.svc.MergeOrgs(ctx, m.Sources, m.Target, meta)
		if err := r.part(m.Sources[0], err); err != nil {
			return err
		}
	}
	return nil
}

// flattenLevel ends every organisation of a kind in a subtree, its
// sub-organisations moving up to its parent: the 2025 abolition of the
// district level. Unless the filter names sectors, only territorial
// organisations end: the blocs, enterprises and armed forces at that level stay.
func (r *replaying) flattenLevel(ctx context.Context, op org.Operation, meta org.Meta) error {
	f := op.Filter
	levels, err := r.selected(&org.OrgFilter{Within: f.Within, Kinds: []org.Kind{op.Kind}, Sectors: f.Sectors,
		MaxMembers: f.MaxMembers, MinMembers: f.MinMembers}, func(o *org.Org) bool {
		return len(f.Sectors) > 0 || o.Sector.IsTerritorial()
	})
	if err != nil {
		return err
	}
	for _, level := range levels {
		children, _, _, err := r.w.tree.Children(level.ID, org.PageQuery{First: math.MaxInt}, nil)
		if err != nil {
			return err
		}
		for _, c := range children {
			_, err := r.svc.TransferOrg(ctx, c.ID, level.ParentID, meta)
			if err := r.part(c.ID, err); err != nil {
				return org.Prefixed(c.Name, err)
			}
		}
		_, err = r.svc.DissolveOrg(ctx, level.ID, org.Destination{}, meta)
		if err := r.part(level.ID, err); err != nil {
			return org.Prefixed(level.Name, err)
		}
	}
	return nil
}
