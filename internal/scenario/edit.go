package scenario

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"dangbo/internal/org"
)

// Scenario limits.
const (
	// MaxScenarioOps bounds a scenario's operations: a whole province's
	// reform, commune by commune, is a few thousand.
	MaxScenarioOps = 10_000
)

// Create starts a scenario over organisation within's subtree, whose
// operations are simulated on date baseAsOf (today when zero).
func (s *Service) Create(ctx context.Context, name, within string, baseAsOf org.Date) (org.Scenario, error) {
	if baseAsOf == 0 {
		baseAsOf = s.svc.Today()
	}
	now := time.Now().UTC()
	sc := org.Scenario{ID: org.NewID("s"), Within: within, BaseAsOf: baseAsOf, CreatedAt: now, UpdatedAt: now, NextKey: 1}
	err := s.svc.Mutate(ctx, "createScenario", []string{sc.ID, within}, func() error {
		p, err := org.Require(ctx, org.WriteStructure)
		if err != nil {
			return err
		}
		sc.CreatedBy = p.Subject
		if sc.Name, err = org.CleanName("tên phương án", name); err != nil {
			return err
		}
		if within == "" {
			return org.Errorf(org.EInvalid, "hãy chọn tổ chức mà phương án sắp xếp (within)")
		}
		return s.svc.SeeOrg(ctx, p, org.View{At: baseAsOf}, within)
	}, func(tx org.Tx) error {
		// sc is bumped only once committed: the driver may run this again.
		return tx.PutScenario(ctx, sc)
	})
	if err == nil {
		sc.Rev++
	}
	return sc, err
}

// AddOperations appends operations to an open scenario. Each is
// replayed at once: one that names something that does not exist, or is
// otherwise malformed, is refused with BAD_USER_INPUT naming its index in
// ops, and none is added; one the Charter forbids is added, and reported.
func (s *Service) AddOperations(ctx context.Context, id string, ops []org.Operation) (org.Scenario, error) {
	return s.edit(ctx, "addScenarioOperations", id, func(sc *org.Scenario) (int, error) {
		if len(sc.Ops)+len(ops) > MaxScenarioOps {
			return 0, org.Errorf(org.EInvalid, "một phương án có tối đa %d thao tác", MaxScenarioOps)
		}
		from := len(sc.Ops)
		for i, op := range ops {
			if err := check(&op); err != nil {
				return 0, org.Prefixed(fmt.Sprintf("thao tác operations[%d]", i), err)
			}
			op.Key = sc.NextKey
			sc.NextKey++
			sc.Ops = append(sc.Ops, op)
		}
		sc.Undone = nil
		return from, nil
	})
}

// RemoveOperation takes the operation of the given key out of a scenario.
func (s *Service) RemoveOperation(ctx context.Context, id string, key int) (org.Scenario, error) {
	return s.edit(ctx, "removeScenarioOperation", id, func(sc *org.Scenario) (int, error) {
		i, err := index(sc, key)
		if err != nil {
			return 0, err
		}
		sc.Ops, sc.Undone = slices.Delete(sc.Ops, i, i+1), nil
		return len(sc.Ops), nil
	})
}

// MoveOperation moves the operation of the given key to position to.
func (s *Service) MoveOperation(ctx context.Context, id string, key, to int) (org.Scenario, error) {
	return s.edit(ctx, "moveScenarioOperation", id, func(sc *org.Scenario) (int, error) {
		i, err := index(sc, key)
		if err != nil {
			return 0, err
		}
		if to < 0 || to >= len(sc.Ops) {
			return 0, org.Errorf(org.EInvalid, "vị trí %d nằm ngoài danh sách %d thao tác", to, len(sc.Ops))
		}
		op := sc.Ops[i]
		sc.Ops = slices.Insert(slices.Delete(sc.Ops, i, i+1), to, op)
		sc.Undone = nil
		return len(sc.Ops), nil
	})
}

// Undo takes back the scenario's last operation; RedoScenario puts
// back the last one undone.
func (s *Service) Undo(ctx context.Context, id string) (org.Scenario, error) {
	return s.edit(ctx, "undoScenario", id, func(sc *org.Scenario) (int, error) {
		if len(sc.Ops) == 0 {
			return 0, org.Errorf(org.EInvalid, "phương án chưa có thao tác nào để hoàn tác")
		}
		last := sc.Ops[len(sc.Ops)-1]
		sc.Ops, sc.Undone = sc.Ops[:len(sc.Ops)-1], append(sc.Undone, last)
		return len(sc.Ops), nil
	})
}

func (s *Service) Redo(ctx context.Context, id string) (org.Scenario, error) {
	return s.edit(ctx, "redoScenario", id, func(sc *org.Scenario) (int, error) {
		if len(sc.Undone) == 0 {
			return 0, org.Errorf(org.EInvalid, "không có thao tác nào để làm lại")
		}
		last := sc.Undone[len(sc.Undone)-1]
		sc.Ops, sc.Undone = append(sc.Ops, last), sc.Undone[:len(sc.Undone)-1]
		return len(sc.Ops), nil
	})
}

// Rename names a scenario anew.
func (s *Service) Rename(ctx context.Context, id, name string) (org.Scenario, error) {
	return s.edit(ctx, "renameScenario", id, func(sc *org.Scenario) (int, error) {
		var err error
		sc.Name, err = org.CleanName("tên phương án", name)
		return len(sc.Ops), err
	})
}

// Discard closes a scenario for good.
func (s *Service) Discard(ctx context.Context, id string) (org.Scenario, error) {
	return s.edit(ctx, "discardScenario", id, func(sc *org.Scenario) (int, error) {
		sc.Status, sc.Ops, sc.Undone, sc.Reads, sc.Expansions = org.ScenarioDiscarded, nil, nil, nil, nil
		return 0, nil
	})
}

func index(sc *org.Scenario, key int) (int, error) {
	i := slices.IndexFunc(sc.Ops, func(op org.Operation) bool { return op.Key == key })
	if i < 0 {
		return 0, org.Errorf(org.EInvalid, "phương án không có thao tác số %d", key)
	}
	return i, nil
}

// edit changes an open scenario in one transaction: edit changes it
// and says from which operation on a failure refuses the edit; the scenario
// is then replayed over the live records the same transaction reads, so that
// it keeps the revisions they had when its operations first read them.
func (s *Service) edit(ctx context.Context, action, id string, edit func(sc *org.Scenario) (int, error)) (org.Scenario, error) {
	var out, sc org.Scenario
	var ev *evaluation
	var beyond *outside
	err := s.svc.Mutate(ctx, action, []string{id}, func() error { return s.mayDraft(ctx, id) }, func(tx org.Tx) error {
		var err error
		if sc, err = openScenario(ctx, tx, id); err != nil {
			return err
		}
		strict, err := edit(&sc)
		if err != nil {
			return err
		}
		if sc.Status == org.ScenarioOpen {
			// The replay runs with every right (replayer): the editor drafts
			// only the operations their role may perform.
			for i, op := range sc.Ops[strict:] {
				if _, err := org.Require(ctx, needs(&op)); err != nil {
					return org.Prefixed(fmt.Sprintf("thao tác operations[%d] (%s)", i, op.Type), err)
				}
			}
			if ev, err = s.replayOps(replayer(ctx, &sc), &sc, tx, nil); err != nil {
				return err
			}
			for i, r := range ev.results[strict:] {
				if r.Err == nil || org.ErrorCode(r.Err) == org.ERule {
					continue // a rule broken is a finding, not a refusal
				}
				where := fmt.Sprintf("thao tác operations[%d] (%s)", i, sc.Ops[strict+i].Type)
				switch org.ErrorCode(r.Err) {
				case org.EForbidden, org.EUnauthorized, org.EUnavailable, org.EInternal:
					return org.Prefixed(where, r.Err)
				}
				// What names nothing, or is malformed.
				beyond = outsideOf(ev.w.tree, where, &sc.Ops[strict+i], r.Err)
				return org.Errorf(org.EInvalid, "%s: %s", where, org.ErrorMessage(r.Err))
			}
			sc.Reads = ev.w.keptReads(sc.Reads)
			sc.Expansions = make(map[int]string, len(sc.Ops))
			for i, fp := range ev.expansions() {
				sc.Expansions[sc.Ops[i].Key] = fp
			}
		}
		sc.UpdatedAt = time.Now().UTC()
		if err := tx.PutScenario(ctx, sc); err != nil {
			return err
		}
		sc.Rev++
		out = sc
		return nil
	})
	switch {
	case err != nil:
	case ev != nil:
		// The next what-if read of the scenario needs no replay.
		ev.scenario = out
		s.cache.touch(out.ID, ev)
	default:
		s.cache.forget(out.ID)
	}
	if err != nil && beyond != nil {
		// Outside the transaction: the caller's own read of the live
		// structure decides whether to say where the organisation is.
		err = s.explain(ctx, sc, beyond, err)
	}
	if err != nil {
		return org.Scenario{}, err
	}
	out, _, err = s.svc.SeenScenario(ctx, out, nil)
	return out, err
}

// mayDraft is nil when the caller may change scenario id (edit, apply,
// discard): they change the structure, see the root of its subtree, and
// either drafted it or are an admin. Other organisers of the scope read a
// draft but do not rewrite or throw away a colleague's work.
func (s *Service) mayDraft(ctx context.Context, id string) error {
	p, err := org.Require(ctx, org.WriteStructure)
	if err != nil {
		return err
	}
	sc, err := s.store.Scenario(ctx, id)
	if err != nil {
		return err
	}
	if err := s.svc.SeeScenario(ctx, p, &sc); err != nil {
		return err
	}
	if sc.CreatedBy != p.Subject && !slices.Contains(p.Roles, org.Admin) {
		return org.Errorf(org.EForbidden, "Chỉ người tạo phương án %q và quản trị viên mới được sửa, áp dụng hoặc hủy phương án này; "+
			"người khác chỉ được xem.", sc.Name)
	}
	return nil
}

// openScenario reads scenario id in tx, CONFLICT unless it is still open.
func openScenario(ctx context.Context, tx org.Tx, id string) (org.Scenario, error) {
	sc, err := tx.Scenario(ctx, id)
	if err == nil && sc.Status != org.ScenarioOpen {
		err = org.Errorf(org.EConflict, "phương án %q đã %s", sc.Name, statusWord(sc.Status))
	}
	return sc, err
}

func statusWord(st org.ScenarioStatus) string {
	return [...]string{"đang soạn", "được áp dụng", "bị hủy"}[st]
}

// keptReads are the revisions the scenario's operations read: those it
// already had keep their first revision.
func (w *whatIf) keptReads(had map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(w.reads))
	for id, rev := range w.reads {
		if old, ok := had[id]; ok {
			rev = old
		}
		out[id] = rev
	}
	return out
}

// needs is the permission performing the operation takes.
func needs(op *org.Operation) org.Permission {
	switch {
	case op.Type >= org.OpAdmitMember && op.Type <= org.OpEndRole,
		op.Type == org.OpRecordRating && op.Rating != nil && op.Rating.MemberID != "":
		return org.WriteMembers
	}
	return org.WriteStructure
}

// check validates what an operation needs before it is replayed.
func check(op *org.Operation) error {
	need := func(ok bool, what string) error {
		if !ok {
			return org.Errorf(org.EInvalid, "thao tác %s cần %s", op.Type, what)
		}
		return nil
	}
	switch op.Type {
	case org.OpEstablishOrg, org.OpSplitOrg:
		return need(op.New != nil, "tổ chức mới (new)")
	case org.OpMergeOrgs:
		return need(len(op.Sources) > 0 && (op.TargetID != "") != (op.New != nil), "các tổ chức nguồn và đúng một tổ chức nhận")
	case org.OpAdmitMember:
		return need(op.Admit != nil, "đảng viên được kết nạp (admit)")
	case org.OpRecordRating:
		return need(op.Rating != nil, "kết quả xếp loại (rating)")
	case org.OpTransferWhere:
		if err := need(op.Filter != nil && op.Filter.Within != "" && op.TargetID != "", "bộ lọc (filter.within) và tổ chức nhận"); err != nil {
			return err
		}
		return checkSizes(op.Filter, "filter.")
	case org.OpFlattenLevel:
		if err := need(op.Filter != nil && op.Filter.Within != "" && int(op.Kind) < org.NumKinds, "cấp (kind) và tổ chức (filter.within)"); err != nil {
			return err
		}
		return checkSizes(op.Filter, "")
	case org.OpMergeByMapping:
		if err := need(len(op.Mapping) > 0, "danh sách sáp nhập (mapping)"); err != nil {
			return err
		}
		for _, m := range op.Mapping {
			if err := need(len(m.Sources) > 0 && (m.Target.ID != "") != (m.Target.New != nil), "các tổ chức nguồn và đúng một tổ chức nhận ở mỗi dòng"); err != nil {
				return err
			}
		}
	}
	if int(op.Type) >= org.NumOperationTypes {
		return org.Errorf(org.EInvalid, "loại thao tác không hợp lệ")
	}
	return nil
}

// checkSizes checks a bulk operation's bounds on members, named as its
// input names them (prefix, then minMembers or maxMembers): a count is not
// negative, and a range that selects nothing is a mistake, not a no-op.
func checkSizes(f *org.OrgFilter, prefix string) error {
	for _, b := range []struct {
		name string
		n    *int
	}{{"minMembers", f.MinMembers}, {"maxMembers", f.MaxMembers}} {
		if b.n != nil && *b.n < 0 {
			return org.Errorf(org.EInvalid, "%s%s là số đảng viên nên không được âm, nhận %d.", prefix, b.name, *b.n)
		}
	}
	if f.MinMembers != nil && f.MaxMembers != nil && *f.MinMembers > *f.MaxMembers {
		return org.Errorf(org.EInvalid, "%sminMembers (%d) lớn hơn %smaxMembers (%d) nên không tổ chức nào thỏa.",
			prefix, *f.MinMembers, prefix, *f.MaxMembers)
	}
	return nil
}

// evaluations keeps the last few scenarios replayed: what-if reads of one
// scenario come in bursts (a chart, then its pages), and a replay of a large
// reform costs tens of milliseconds. Each is a tree of its subtree plus what
// it wrote, so the cache is bounded by count.
type evaluations struct {
	mu     sync.Mutex
	byID   map[string]*evaluation
	recent []string // most recent last
	flight singleflight.Group
}

const cachedEvaluations = 8

func newEvaluations() *evaluations { return &evaluations{byID: map[string]*evaluation{}} }

// replayer is who a scenario's operations run as when it is simulated: the
// service itself, inside the scenario's subtree, whoever asks. A replay is
// then the same for every caller, and each reads it through their own scope
// (org.Service reads it through the Scenarios port), so a cached one may
// serve them all.
func replayer(ctx context.Context, sc *org.Scenario) context.Context {
	return org.WithPrincipal(ctx, &org.Principal{Subject: org.System.Subject,
		Roles: []org.AccessRole{org.Officer, org.Organiser}, Scope: []string{sc.Within}})
}

// evaluated is scenario sc replayed over the live structure as it is now.
func (s *Service) evaluated(ctx context.Context, sc *org.Scenario) (*evaluation, error) {
	c := s.cache
	// The store's revision, not this instance's: another instance sharing
	// the database may have written since the replay.
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	ev := c.byID[sc.ID]
	c.mu.Unlock()
	if ev != nil && ev.scenario.Rev == sc.Rev && ev.revision == rev {
		c.touch(sc.ID, ev)
		return ev, nil
	}
	key := sc.ID + "/" + strconv.FormatInt(sc.Rev, 10) + "/" + strconv.FormatUint(rev, 10)
	v, err, _ := c.flight.Do(key, func() (any, error) {
		ev, err := s.replayed(replayer(context.WithoutCancel(ctx), sc), sc, rev)
		if err != nil {
			return nil, err
		}
		c.touch(sc.ID, ev)
		return ev, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*evaluation), nil
}

// forget drops the replay of a scenario that can no longer be read.
func (c *evaluations) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byID, id)
	c.recent = slices.DeleteFunc(c.recent, func(x string) bool { return x == id })
}

func (c *evaluations) touch(id string, ev *evaluation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID[id] = ev
	c.recent = append(slices.DeleteFunc(c.recent, func(x string) bool { return x == id }), id)
	if len(c.recent) > cachedEvaluations {
		delete(c.byID, c.recent[0])
		c.recent = c.recent[1:]
	}
}

// Evaluate replays a scenario the caller may see over the live structure.
func (s *Service) Evaluate(ctx context.Context, id string) (Evaluation, error) {
	sc, err := s.svc.Scenario(ctx, id)
	if err != nil {
		return Evaluation{}, err
	}
	if sc.Status != org.ScenarioOpen {
		return Evaluation{Scenario: sc}, nil
	}
	ev, err := s.evaluated(ctx, &sc)
	if err != nil {
		return Evaluation{}, err
	}
	return Evaluation{Scenario: sc, Results: ev.results, Findings: ev.w.findings}, nil
}

// Evaluation is what a scenario's operations did when replayed over
// the live structure: one result per operation, and the findings of the
// operations themselves (the structure's are in its violations).
type Evaluation struct {
	Scenario org.Scenario
	Results  []OpResult
	Findings []org.Violation
}

// evaluatedOpen is scenario id, which the caller of ctx sees, replayed:
// CONFLICT once it is applied or discarded.
func (s *Service) evaluatedOpen(ctx context.Context, id string) (*evaluation, error) {
	sc, err := s.svc.Scenario(ctx, id)
	if err != nil {
		return nil, err
	}
	if sc.Status != org.ScenarioOpen {
		return nil, org.Errorf(org.EConflict, "phương án %q đã %s: hãy đọc cấu trúc hiện hành", sc.Name, statusWord(sc.Status))
	}
	return s.evaluated(ctx, &sc)
}

// WhatIf is a copy of the domain's Service whose reads answer as if scenario
// id were applied, in its subtree, on its base date (org.Scenarios).
func (s *Service) WhatIf(ctx context.Context, id string) (*org.Service, []string, error) {
	ev, err := s.evaluatedOpen(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return s.svc.Simulating(ev.w, ev.w.at, nil, nil), ev.w.roots, nil
}
