package org

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Scenario limits.
const (
	// MaxScenarioOps bounds a scenario's operations: a whole province's
	// reform, commune by commune, is a few thousand.
	MaxScenarioOps = 10_000
)

// CreateScenario starts a scenario over organisation within's subtree, whose
// operations are simulated on date baseAsOf (today when zero).
func (s *Service) CreateScenario(ctx context.Context, name, within string, baseAsOf Date) (Scenario, error) {
	if baseAsOf == 0 {
		baseAsOf = s.today()
	}
	now := time.Now().UTC()
	sc := Scenario{ID: NewID("s"), Within: within, BaseAsOf: baseAsOf, CreatedAt: now, UpdatedAt: now, NextKey: 1}
	err := s.mutate(ctx, "createScenario", []string{sc.ID, within}, func() error {
		p, err := require(ctx, WriteStructure)
		if err != nil {
			return err
		}
		sc.CreatedBy = p.Subject
		if sc.Name, err = CleanName("tên phương án", name); err != nil {
			return err
		}
		if within == "" {
			return Errorf(EInvalid, "hãy chọn tổ chức mà phương án sắp xếp (within)")
		}
		return s.seeOrg(ctx, p, View{At: baseAsOf}, within)
	}, func(tx Tx) error {
		// sc is bumped only once committed: the driver may run this again.
		return tx.PutScenario(ctx, sc)
	})
	if err == nil {
		sc.Rev++
	}
	return sc, err
}

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

// seeScenario is scoped.seeScenario for principal p, for the checks of writes.
func (s *Service) seeScenario(ctx context.Context, p *Principal, sc *Scenario) error {
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

// AddScenarioOperations appends operations to an open scenario. Each is
// replayed at once: one that names something that does not exist, or is
// otherwise malformed, is refused with BAD_USER_INPUT naming its index in
// ops, and none is added; one the Charter forbids is added, and reported.
func (s *Service) AddScenarioOperations(ctx context.Context, id string, ops []Operation) (Scenario, error) {
	return s.editScenario(ctx, "addScenarioOperations", id, func(sc *Scenario) (int, error) {
		if len(sc.Ops)+len(ops) > MaxScenarioOps {
			return 0, Errorf(EInvalid, "một phương án có tối đa %d thao tác", MaxScenarioOps)
		}
		from := len(sc.Ops)
		for i, op := range ops {
			if err := op.check(); err != nil {
				return 0, prefixed(fmt.Sprintf("thao tác operations[%d]", i), err)
			}
			op.Key = sc.NextKey
			sc.NextKey++
			sc.Ops = append(sc.Ops, op)
		}
		sc.Undone = nil
		return from, nil
	})
}

// RemoveScenarioOperation takes the operation of the given key out of a scenario.
func (s *Service) RemoveScenarioOperation(ctx context.Context, id string, key int) (Scenario, error) {
	return s.editScenario(ctx, "removeScenarioOperation", id, func(sc *Scenario) (int, error) {
		i, err := sc.index(key)
		if err != nil {
			return 0, err
		}
		sc.Ops, sc.Undone = slices.Delete(sc.Ops, i, i+1), nil
		return len(sc.Ops), nil
	})
}

// MoveScenarioOperation moves the operation of the given key to position to.
func (s *Service) MoveScenarioOperation(ctx context.Context, id string, key, to int) (Scenario, error) {
	return s.editScenario(ctx, "moveScenarioOperation", id, func(sc *Scenario) (int, error) {
		i, err := sc.index(key)
		if err != nil {
			return 0, err
		}
		if to < 0 || to >= len(sc.Ops) {
			return 0, Errorf(EInvalid, "vị trí %d nằm ngoài danh sách %d thao tác", to, len(sc.Ops))
		}
		op := sc.Ops[i]
		sc.Ops = slices.Insert(slices.Delete(sc.Ops, i, i+1), to, op)
		sc.Undone = nil
		return len(sc.Ops), nil
	})
}

// UndoScenario takes back the scenario's last operation; RedoScenario puts
// back the last one undone.
func (s *Service) UndoScenario(ctx context.Context, id string) (Scenario, error) {
	return s.editScenario(ctx, "undoScenario", id, func(sc *Scenario) (int, error) {
		if len(sc.Ops) == 0 {
			return 0, Errorf(EInvalid, "phương án chưa có thao tác nào để hoàn tác")
		}
		last := sc.Ops[len(sc.Ops)-1]
		sc.Ops, sc.Undone = sc.Ops[:len(sc.Ops)-1], append(sc.Undone, last)
		return len(sc.Ops), nil
	})
}

func (s *Service) RedoScenario(ctx context.Context, id string) (Scenario, error) {
	return s.editScenario(ctx, "redoScenario", id, func(sc *Scenario) (int, error) {
		if len(sc.Undone) == 0 {
			return 0, Errorf(EInvalid, "không có thao tác nào để làm lại")
		}
		last := sc.Undone[len(sc.Undone)-1]
		sc.Ops, sc.Undone = append(sc.Ops, last), sc.Undone[:len(sc.Undone)-1]
		return len(sc.Ops), nil
	})
}

// RenameScenario names a scenario anew.
func (s *Service) RenameScenario(ctx context.Context, id, name string) (Scenario, error) {
	return s.editScenario(ctx, "renameScenario", id, func(sc *Scenario) (int, error) {
		var err error
		sc.Name, err = CleanName("tên phương án", name)
		return len(sc.Ops), err
	})
}

// DiscardScenario closes a scenario for good.
func (s *Service) DiscardScenario(ctx context.Context, id string) (Scenario, error) {
	return s.editScenario(ctx, "discardScenario", id, func(sc *Scenario) (int, error) {
		sc.Status, sc.Ops, sc.Undone, sc.Reads, sc.Expansions = ScenarioDiscarded, nil, nil, nil, nil
		return 0, nil
	})
}

func (sc *Scenario) index(key int) (int, error) {
	i := slices.IndexFunc(sc.Ops, func(op Operation) bool { return op.Key == key })
	if i < 0 {
		return 0, Errorf(EInvalid, "phương án không có thao tác số %d", key)
	}
	return i, nil
}

// editScenario changes an open scenario in one transaction: edit changes it
// and says from which operation on a failure refuses the edit; the scenario
// is then replayed over the live records the same transaction reads, so that
// it keeps the revisions they had when its operations first read them.
func (s *Service) editScenario(ctx context.Context, action, id string, edit func(sc *Scenario) (int, error)) (Scenario, error) {
	var out Scenario
	var ev *evaluation
	err := s.mutate(ctx, action, []string{id}, func() error { return s.mayDraft(ctx, id) }, func(tx Tx) error {
		sc, err := openScenario(ctx, tx, id)
		if err != nil {
			return err
		}
		strict, err := edit(&sc)
		if err != nil {
			return err
		}
		if sc.Status == ScenarioOpen {
			// The replay runs with every right (replayer): the editor drafts
			// only the operations their role may perform.
			for i, op := range sc.Ops[strict:] {
				if _, err := require(ctx, op.needs()); err != nil {
					return prefixed(fmt.Sprintf("thao tác operations[%d] (%s)", i, op.Type), err)
				}
			}
			if ev, err = s.replayOps(replayer(ctx, &sc), &sc, tx, nil); err != nil {
				return err
			}
			for i, r := range ev.results[strict:] {
				if r.Err == nil || ErrorCode(r.Err) == ERule {
					continue // a rule broken is a finding, not a refusal
				}
				where := fmt.Sprintf("thao tác operations[%d] (%s)", i, sc.Ops[strict+i].Type)
				switch ErrorCode(r.Err) {
				case EForbidden, EUnauthorized, EUnavailable, EInternal:
					return prefixed(where, r.Err)
				}
				// What names nothing, or is malformed.
				return Errorf(EInvalid, "%s: %s", where, ErrorMessage(r.Err))
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
		s.scenarios.touch(out.ID, ev)
	default:
		s.scenarios.forget(out.ID)
	}
	if err != nil {
		return Scenario{}, err
	}
	return read(ctx, s, View{}, func(r *scoped, _ View) (Scenario, error) { return out, r.trimScenario(ctx, &out) })
}

// mayDraft is nil when the caller may change scenario id (edit, apply,
// discard): they change the structure, see the root of its subtree, and
// either drafted it or are an admin. Other organisers of the scope read a
// draft but do not rewrite or throw away a colleague's work.
func (s *Service) mayDraft(ctx context.Context, id string) error {
	p, err := require(ctx, WriteStructure)
	if err != nil {
		return err
	}
	sc, err := s.store.Scenario(ctx, id)
	if err != nil {
		return err
	}
	if err := s.seeScenario(ctx, p, &sc); err != nil {
		return err
	}
	if sc.CreatedBy != p.Subject && !slices.Contains(p.Roles, Admin) {
		return Errorf(EForbidden, "Chỉ người tạo phương án %q và quản trị viên mới được sửa, áp dụng hoặc hủy phương án này; "+
			"người khác chỉ được xem.", sc.Name)
	}
	return nil
}

// openScenario reads scenario id in tx, CONFLICT unless it is still open.
func openScenario(ctx context.Context, tx Tx, id string) (Scenario, error) {
	sc, err := tx.Scenario(ctx, id)
	if err == nil && sc.Status != ScenarioOpen {
		err = Errorf(EConflict, "phương án %q đã %s", sc.Name, sc.Status.vietnamese())
	}
	return sc, err
}

func (st ScenarioStatus) vietnamese() string {
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
func (op *Operation) needs() Permission {
	switch {
	case op.Type >= OpAdmitMember && op.Type <= OpEndRole,
		op.Type == OpRecordRating && op.Rating != nil && op.Rating.MemberID != "":
		return WriteMembers
	}
	return WriteStructure
}

// check validates what an operation needs before it is replayed.
func (op *Operation) check() error {
	need := func(ok bool, what string) error {
		if !ok {
			return Errorf(EInvalid, "thao tác %s cần %s", op.Type, what)
		}
		return nil
	}
	switch op.Type {
	case OpEstablishOrg, OpSplitOrg:
		return need(op.New != nil, "tổ chức mới (new)")
	case OpMergeOrgs:
		return need(len(op.Sources) > 0 && (op.TargetID != "") != (op.New != nil), "các tổ chức nguồn và đúng một tổ chức nhận")
	case OpAdmitMember:
		return need(op.Admit != nil, "đảng viên được kết nạp (admit)")
	case OpRecordRating:
		return need(op.Rating != nil, "kết quả xếp loại (rating)")
	case OpTransferWhere:
		return need(op.Filter != nil && op.Filter.Within != "" && op.TargetID != "", "bộ lọc (filter.within) và tổ chức nhận")
	case OpFlattenLevel:
		return need(op.Filter != nil && op.Filter.Within != "" && int(op.Kind) < NumKinds, "cấp (kind) và tổ chức (filter.within)")
	case OpMergeByMapping:
		if err := need(len(op.Mapping) > 0, "danh sách sáp nhập (mapping)"); err != nil {
			return err
		}
		for _, m := range op.Mapping {
			if err := need(len(m.Sources) > 0 && (m.Target.ID != "") != (m.Target.New != nil), "các tổ chức nguồn và đúng một tổ chức nhận ở mỗi dòng"); err != nil {
				return err
			}
		}
	}
	if int(op.Type) >= NumOperationTypes {
		return Errorf(EInvalid, "loại thao tác không hợp lệ")
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
// (Service.reader), so a cached one may serve them all.
func replayer(ctx context.Context, sc *Scenario) context.Context {
	return WithPrincipal(ctx, &Principal{Subject: System.Subject,
		Roles: []AccessRole{Officer, Organiser}, Scope: []string{sc.Within}})
}

// evaluated is scenario sc replayed over the live structure as it is now.
func (s *Service) evaluated(ctx context.Context, sc *Scenario) (*evaluation, error) {
	c := s.scenarios
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
func (s *Service) Evaluate(ctx context.Context, id string) (ScenarioEvaluation, error) {
	sc, err := s.Scenario(ctx, id)
	if err != nil {
		return ScenarioEvaluation{}, err
	}
	if sc.Status != ScenarioOpen {
		return ScenarioEvaluation{Scenario: sc}, nil
	}
	ev, err := s.evaluated(ctx, &sc)
	if err != nil {
		return ScenarioEvaluation{}, err
	}
	return ScenarioEvaluation{Scenario: sc, Results: ev.results, Findings: ev.w.findings}, nil
}

// ScenarioEvaluation is what a scenario's operations did when replayed over
// the live structure: one result per operation, and the findings of the
// operations themselves (the structure's are in its violations).
type ScenarioEvaluation struct {
	Scenario Scenario
	Results  []OpResult
	Findings []Violation
}

// whatIf is a Service that answers reads as if scenario id were applied, in
// its subtree, on its base date, for the caller of ctx.
func (s *Service) whatIf(ctx context.Context, id string) (*Service, View, *evaluation, error) {
	sc, err := s.Scenario(ctx, id)
	if err != nil {
		return nil, View{}, nil, err
	}
	if sc.Status != ScenarioOpen {
		return nil, View{}, nil, Errorf(EConflict, "phương án %q đã %s: hãy đọc cấu trúc hiện hành", sc.Name, sc.Status.vietnamese())
	}
	ev, err := s.evaluated(ctx, &sc)
	if err != nil {
		return nil, View{}, nil, err
	}
	sim := *s
	sim.store = ev.w
	sim.today = func() Date { return ev.w.at }
	return &sim, View{At: ev.w.at}, ev, nil
}

// inScenario answers read for view v from the scenario it names, with the caller's scope narrowed to the
// scenario's subtree.
func inScenario[T any](ctx context.Context, s *Service, v View, read func(context.Context, *Service, View) (T, error)) (T, error) {
	sim, sv, ev, err := s.whatIf(ctx, v.Scenario)
	if err != nil {
		var zero T
		return zero, err
	}
	if p, ok := PrincipalFrom(ctx); ok {
		ctx = WithPrincipal(ctx, p.confinedTo(ev.w.roots))
	}
	return read(ctx, sim, sv)
}
