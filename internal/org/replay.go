package org

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// replay is how a Service copy runs a scenario's operations: in simulation
// the shape rules give findings instead of refusals and nobody has decided
// yet; when applying, one decision of a committee above covers them all.
type replay struct {
	simulate bool
	w        *whatIf // the store of the replaying Service
	key      int     // the key of the operation running
	findings []Violation
}

// found records a rule finding of the operation running.
func (r *replay) found(e *Error, subject string) {
	r.findings = append(r.findings, Violation{Rule: ruleByID(e.Rule), Subject: subject, Message: e.Message, OperationKey: r.key, interim: true})
}

func ruleByID(id string) Rule {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return Rule{ID: id, Severity: SeverityError}
}

// OpResult is what one operation of a scenario did when it was last replayed.
type OpResult struct {
	Key     int
	Err     error    // why it could not be applied, nil if it was
	Created []string // the ids of what it established or admitted
	Changes int      // how many changes it made (a bulk operation makes several)
}

// evaluation is a scenario replayed over the live structure.
type evaluation struct {
	scenario Scenario
	w        *whatIf
	results  []OpResult
	revision uint64 // the store's revision it was made at
}

// replayed replays sc over the live structure on its base date, in a read
// transaction: a what-if read takes no lock that writers wait for. rev is the
// store's revision read before: a write that commits meanwhile leaves the
// evaluation stale, not wrong.
func (s *Service) replayed(ctx context.Context, sc *Scenario, rev uint64) (*evaluation, error) {
	var ev *evaluation
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ev, err = s.replayOps(ctx, sc, tx, nil)
		return err
	})
	if ev != nil {
		ev.revision = rev
	}
	return ev, err
}

// replayOps runs sc's operations over the live records src reads, on the
// scenario's base date to simulate it, or by decision meta to apply it.
func (s *Service) replayOps(ctx context.Context, sc *Scenario, src Tx, apply *Meta) (*evaluation, error) {
	at := sc.BaseAsOf
	if apply != nil {
		at = apply.EffectiveOn
	}
	roots := []string{sc.Within}
	if err := src.Load(ctx, WorkingSet{At: at, Subtrees: roots}); err != nil {
		return nil, err
	}
	tree, err := subtree(ctx, src, at, sc.Within)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{scenario: *sc, w: newWhatIf(s.store, src, at, roots, tree)}
	sim := *s
	sim.store, sim.today = ev.w, func() Date { return at }
	sim.replay = &replay{simulate: apply == nil, w: ev.w}
	meta := Meta{Decision: Decision{Number: "PA " + sc.ID, Date: at, IssuerID: sc.Within}, EffectiveOn: at}
	if apply != nil {
		meta = *apply
	}
	// Inside the scenario the caller works in its subtree only, whatever
	// their role: an operation outside it is refused as naming nothing.
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	ctx = WithPrincipal(ctx, p.confinedTo(roots))
	for _, op := range sc.Ops {
		ev.results = append(ev.results, sim.runOp(ctx, sc.ID, op, meta))
	}
	ev.w.findings = sim.replay.findings
	ev.w.src = nil
	ev.w.indexMembers()
	return ev, nil
}

// subtree is the tree of organisation root's subtree on date at, read from
// the live structure in transaction src: a read in a transaction of its own
// would wait for a second connection of the store's pool while src holds one.
func subtree(ctx context.Context, src Tx, at Date, root string) (*Tree, error) {
	nodes, err := src.ChartNodes(ctx, View{At: at}, ChartQuery{RootID: root, Depth: -1}, math.MaxInt)
	if err != nil {
		return nil, err
	}
	t := NewTree(at)
	for i := range nodes {
		t.Set(nodes[i].Org)
		t.SetDirect(nodes[i].ID, nodes[i].Counts.DirectOfficial, nodes[i].Counts.DirectProbationary)
	}
	return t, t.Recount()
}

// runOp runs one operation of scenario id on a replaying Service.
func (s *Service) runOp(ctx context.Context, scenario string, op Operation, meta Meta) OpResult {
	res := OpResult{Key: op.Key}
	s.ids = idSource(scenario, op.Key, &res.Created)
	s.replay.key = op.Key
	meta.Note = op.Note
	mark, changes := len(s.replay.findings), len(s.replay.w.changes)
	res.Err = s.run(ctx, op, meta)
	if res.Err != nil {
		s.replay.findings = s.replay.findings[:mark]
		var e *Error
		if errors.As(res.Err, &e) && e.Code == ERule {
			// An operation the Charter forbids stays in the scenario, not
			// applied, and blocks applying it.
			s.replay.findings = append(s.replay.findings, Violation{Rule: ruleByID(e.Rule), Subject: op.subject(),
				Message: "thao tác không thực hiện được: " + e.Message, OperationKey: op.Key})
		}
	}
	res.Changes = len(s.replay.w.changes) - changes
	for _, c := range s.replay.w.changes[changes:] {
		for _, r := range c.After {
			s.replay.w.writtenBy[r.id()] = op.Key
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
		id := NewIDFrom(prefix, random)
		*created = append(*created, id)
		return id
	}
}

// subject is the organisation or member an operation is about.
func (op *Operation) subject() string {
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

// run calls the Service method of the operation's type.
func (s *Service) run(ctx context.Context, op Operation, meta Meta) error {
	var err error
	switch op.Type {
	case OpEstablishOrg:
		_, err = s.EstablishOrg(ctx, *op.New, meta)
	case OpRenameOrg:
		_, err = s.RenameOrg(ctx, op.ID, op.Name, meta)
	case OpTransferOrg:
		_, err = s.TransferOrg(ctx, op.ID, op.ParentID, meta)
	case OpMergeOrgs:
		_, err = s.MergeOrgs(ctx, op.Sources, MergeTarget{ID: op.TargetID, New: op.New}, meta)
	case OpSplitOrg:
		_, err = s.SplitOrg(ctx, op.ID, *op.New, op.MemberIDs, op.ChildIDs, meta)
	case OpDissolveOrg:
		_, err = s.DissolveOrg(ctx, op.ID, op.Destination, meta)
	case OpChangeOrgKind:
		_, err = s.ChangeOrgKind(ctx, op.ID, op.Kind, op.New, meta)
	case OpAdmitMember:
		_, err = s.AdmitMember(ctx, *op.Admit, meta)
	case OpConfirmOfficial:
		_, err = s.ConfirmOfficial(ctx, op.MemberID, meta)
	case OpTransferMember:
		_, err = s.TransferMember(ctx, op.MemberID, op.CellID, op.Until, meta)
	case OpRemoveMember:
		_, err = s.RemoveMember(ctx, op.MemberID, op.Reason, meta)
	case OpSetResidence:
		_, err = s.SetResidence(ctx, op.MemberID, op.CellID, meta)
	case OpEndResidence:
		_, err = s.EndResidence(ctx, op.MemberID, meta)
	case OpAssignRole:
		_, err = s.AssignRole(ctx, op.MemberID, op.OrgID, op.Role, op.HeadOfUnit, meta)
	case OpEndRole:
		_, err = s.EndRole(ctx, op.MemberID, op.OrgID, op.Role, meta)
	case OpRecordRating:
		_, err = s.RecordRating(ctx, *op.Rating, meta)
	case OpTransferWhere:
		err = s.transferWhere(ctx, op, meta)
	case OpMergeByMapping:
		err = s.mergeByMapping(ctx, op, meta)
	case OpFlattenLevel:
		err = s.flattenLevel(ctx, op, meta)
	default:
		err = Errorf(EInvalid, "loại thao tác không hợp lệ")
	}
	return err
}

// part runs one part of a bulk operation: a part the Charter forbids is a
// finding and the rest goes on; any other failure fails the whole operation.
func (s *Service) part(subject string, err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.Code != ERule {
		return err
	}
	s.replay.findings = append(s.replay.findings, Violation{Rule: ruleByID(e.Rule), Subject: subject,
		Message: "không thực hiện được: " + e.Message, OperationKey: s.replay.key})
	return nil
}

// selected lists the organisations of the scenario's tree that filter f
// selects, parents before children, leaving out any below one selected.
func (s *Service) selected(f *OrgFilter, match func(*Org) bool) ([]Org, error) {
	w := s.replay.w
	nodes, err := w.tree.ChartNodes(ChartQuery{RootID: f.Within, Depth: -1}, math.MaxInt)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	var out []Org
	for _, n := range nodes[1:] {
		if taken[n.ParentID] {
			taken[n.ID] = true
			continue
		}
		if f.matches(&n.Org) && match(&n.Org) {
			taken[n.ID] = true
			out = append(out, n.Org)
		}
	}
	return out, nil
}

func (f *OrgFilter) matches(o *Org) bool {
	members := int(o.Counts.Members())
	return (len(f.Kinds) == 0 || slices.Contains(f.Kinds, o.Kind)) &&
		(len(f.Sectors) == 0 || slices.Contains(f.Sectors, o.Sector)) &&
		(f.MaxMembers == nil || members <= *f.MaxMembers) &&
		(f.MinMembers == nil || members >= *f.MinMembers)
}

// transferWhere moves every organisation the filter selects under the target.
func (s *Service) transferWhere(ctx context.Context, op Operation, meta Meta) error {
	w := s.replay.w
	if !w.tree.Has(op.TargetID) {
		return NotFound("tổ chức nhận", op.TargetID)
	}
	orgs, err := s.selected(op.Filter, func(o *Org) bool {
		// The target, what already sits under it and what holds it stay.
		return o.ID != op.TargetID && o.ParentID != op.TargetID && !w.tree.Within(op.TargetID, o.ID)
	})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		_, err := s.TransferOrg(ctx, o.ID, op.TargetID, meta)
		if err := s.part(o.ID, err); err != nil {
			return prefixed(o.Name, err)
		}
	}
	return nil
}

// mergeByMapping runs each merger of the mapping.
func (s *Service) mergeByMapping(ctx context.Context, op Operation, meta Meta) error {
	for _, m := range op.Mapping {
		_, err := s.MergeOrgs(ctx, m.Sources, m.Target, meta)
		if err := s.part(m.Sources[0], err); err != nil {
			return err
		}
	}
	return nil
}

// flattenLevel ends every organisation of a kind in a subtree, its
// sub-organisations moving up to its parent: the 2025 abolition of the
// district level. Unless the filter names sectors, only territorial
// organisations end: the blocs, enterprises and armed forces at that level stay.
func (s *Service) flattenLevel(ctx context.Context, op Operation, meta Meta) error {
	w := s.replay.w
	f := op.Filter
	levels, err := s.selected(&OrgFilter{Within: f.Within, Kinds: []Kind{op.Kind}, Sectors: f.Sectors,
		MaxMembers: f.MaxMembers, MinMembers: f.MinMembers}, func(o *Org) bool {
		return len(f.Sectors) > 0 || o.Sector.IsTerritorial()
	})
	if err != nil {
		return err
	}
	for _, level := range levels {
		children, _, _, err := w.tree.Children(level.ID, PageQuery{First: math.MaxInt}, nil)
		if err != nil {
			return err
		}
		for _, c := range children {
			_, err := s.TransferOrg(ctx, c.ID, level.ParentID, meta)
			if err := s.part(c.ID, err); err != nil {
				return prefixed(c.Name, err)
			}
		}
		_, err = s.DissolveOrg(ctx, level.ID, Destination{}, meta)
		if err := s.part(level.ID, err); err != nil {
			return prefixed(level.Name, err)
		}
	}
	return nil
}
