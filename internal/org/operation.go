package org

import (
	"context"
	"errors"
	"slices"
	"time"
)

// operation is one restructuring operation inside its store transaction: it
// reads and writes records through the transaction, remembering each record
// as it was first read and as it was last written, which become the change's
// before and after.
type operation struct {
	ctx  context.Context
	tx   Tx
	at   Date             // the effective date
	now  func() time.Time // when its change is recorded
	meta Meta
	sim  *Simulation // set when the operation runs for a scenario
	// history reads the changes already recorded, to name the decision a
	// refused operation would contradict.
	history changeReader
	// sees reports whether the caller may see organisation id on date at:
	// a write may touch only what lies in the caller's scope.
	sees   func(id string, at Date) (bool, error)
	before map[string]Record
	after  map[string]Record
	order  []string // ids in the order first touched
	// asides are the changes recorded besides this one (see aside), with
	// the type and subjects of each.
	asides   []*operation
	typ      ChangeType
	subjects []string
	// left are organisations the change names besides its subjects, found
	// while applying it: the village a resident's link leaves.
	left []string
}

// operate runs a restructuring operation: check (rights, scope, input) before
// the transaction, then the decision's checks and apply inside it, then the
// change is recorded with the writes, in the same transaction, so that no
// change is applied without its history and its audit entry.
func (s *Service) operate(ctx context.Context, typ ChangeType, subjects []string, meta Meta,
	check func(at Date) error, apply func(op *operation) error) (Change, error) {
	at := meta.EffectiveOn
	if at == 0 {
		at = s.today()
	}
	subjects = slices.DeleteFunc(slices.Clone(subjects), func(id string) bool { return id == "" })
	var change Change
	err := s.Mutate(ctx, actionName(typ), subjects, func() error {
		if err := CheckMeta(&meta, at); err != nil {
			return err
		}
		return check(at)
	}, func(tx Tx) error {
		op := &operation{ctx: ctx, tx: tx, at: at, now: s.clock(), meta: meta, sim: s.sim, history: tx,
			sees: s.sees(ctx, tx), before: map[string]Record{}, after: map[string]Record{}}
		if err := tx.Load(ctx, WorkingSet{At: at, Near: subjects}); err != nil {
			return err
		}
		if err := apply(op); err != nil {
			return err
		}
		// After the rule checks, so that a decision of a committee that may
		// not order this operation is refused as R9 whether or not its number
		// is on record: the answer tells nothing of others' decisions. A
		// scenario's operations share the decision it is applied by, checked
		// once for them all.
		if s.sim == nil {
			if err := DecisionAgrees(ctx, tx, meta.Decision); err != nil {
				return err
			}
		}
		for _, o := range append([]*operation{op}, op.asides...) {
			if err := o.checkLifetimes(); err != nil {
				return err
			}
			if err := o.keepsLater(); err != nil {
				return err
			}
		}
		var err error
		if change, err = op.record(typ, slices.Concat(subjects, op.left)); err != nil {
			return err
		}
		for _, a := range op.asides {
			if _, err := a.record(a.typ, a.subjects); err != nil {
				return err
			}
		}
		return op.rescopeLater()
	})
	return s.seenChange(ctx, change, err)
}

// record records what the operation wrote as a change of type typ.
func (op *operation) record(typ ChangeType, subjects []string) (Change, error) {
	change := Change{Type: typ, EffectiveOn: op.at, Decision: op.meta.Decision, Note: op.meta.Note,
		RecordedAt: op.now().UTC(), Subjects: subjects}
	if p, ok := PrincipalFrom(op.ctx); ok {
		change.Actor = p.Subject
	}
	var err error
	if change.Scope, err = op.scope(); err != nil {
		return Change{}, err
	}
	for _, id := range op.order {
		if r, ok := op.before[id]; ok {
			change.Before = append(change.Before, r)
		}
		change.After = append(change.After, op.after[id])
	}
	return change, op.tx.RecordChange(op.ctx, &change)
}

// aside is an operation of its own, recorded in the same transaction by the
// same decision, for what op does besides its purpose: a resident's link
// that ends with the cell dissolved is a RESIDENCE_ENDED of that member.
func (op *operation) aside(typ ChangeType, subjects ...string) *operation {
	a := &operation{ctx: op.ctx, tx: op.tx, at: op.at, now: op.now, meta: op.meta, sim: op.sim, history: op.history, sees: op.sees,
		before: map[string]Record{}, after: map[string]Record{}, typ: typ, subjects: subjects}
	op.asides = append(op.asides, a)
	return a
}

// DecisionAgrees fails with CONFLICT when the history already cites the
// issuer's decision of d's number with another signing date: one decision (a
// document) may order several operations, but a number names one document.
func DecisionAgrees(ctx context.Context, tx Tx, d Decision) error {
	signed, err := tx.DecisionDate(ctx, d.IssuerID, d.Number)
	if err != nil {
		return err
	}
	if signed != 0 && signed != d.Date {
		return Errorf(EConflict, "quyết định số %s của cấp ủy này đã được ghi nhận với ngày ký %s, khác ngày %s: "+
			"một số quyết định chỉ ứng với một văn bản", d.Number, signed, d.Date)
	}
	return nil
}

// actionName is the audit log's name of an operation of type t, e.g. "MERGED".
func actionName(t ChangeType) string { return t.String() }

// CheckMeta validates a decision and the effective date it takes effect on.
func CheckMeta(m *Meta, at Date) error {
	var err error
	if m.Decision.Number, err = CleanName("số quyết định", m.Decision.Number); err != nil {
		return err
	}
	if m.Decision.IssuerID == "" {
		return Errorf(EInvalid, "thiếu cấp ủy ban hành quyết định (issuer)")
	}
	if m.Decision.Date == 0 {
		return Errorf(EInvalid, "thiếu ngày ký quyết định")
	}
	if at < m.Decision.Date {
		return Errorf(EInvalid, "ngày có hiệu lực %s trước ngày ký quyết định %s", at, m.Decision.Date)
	}
	m.Note, err = cleanText("ghi chú", m.Note)
	return err
}

// org reads organisation id as the transaction sees it.
func (op *operation) org(id string) (OrgRecord, error) {
	rec, err := op.tx.Org(op.ctx, id)
	if err != nil {
		return OrgRecord{}, notFoundAs(err, "tổ chức", id)
	}
	op.remember(id, Record{Org: &rec}, false)
	return rec.Clone(), nil
}

// orgOn reads organisation id and its state on the effective date.
func (op *operation) orgOn(id, what string) (OrgRecord, Org, error) {
	rec, err := op.org(id)
	if err != nil {
		return rec, Org{}, notFoundAs(err, what, id)
	}
	o, ok := rec.OrgAt(op.at)
	if !ok {
		return rec, Org{}, Errorf(ENotFound, "%s %q không tồn tại vào ngày %s", what, id, op.at)
	}
	return rec, o, nil
}

func (op *operation) putOrg(rec OrgRecord) error {
	if err := op.tx.PutOrg(op.ctx, rec); err != nil {
		return err
	}
	written := rec.Clone()
	op.remember(rec.ID, Record{Org: &written}, true)
	return nil
}

// member reads member id as the transaction sees it.
func (op *operation) member(id string) (MemberRecord, error) {
	rec, err := op.tx.Member(op.ctx, id)
	if err != nil {
		return MemberRecord{}, notFoundAs(err, "đảng viên", id)
	}
	op.remember(id, Record{Member: &rec}, false)
	return rec.Clone(), nil
}

func (op *operation) putMember(rec MemberRecord) error {
	if err := op.tx.PutMember(op.ctx, rec); err != nil {
		return err
	}
	written := rec.Clone()
	op.remember(rec.ID, Record{Member: &written}, true)
	return nil
}

// remember keeps the first record read of id as its before, and the last
// written as its after; only written records enter the change.
func (op *operation) remember(id string, r Record, written bool) {
	if _, read := op.before[id]; !read && !written {
		if _, wrote := op.after[id]; !wrote {
			op.before[id] = r
		}
	}
	if written {
		if _, wrote := op.after[id]; !wrote {
			op.order = append(op.order, id)
		}
		op.after[id] = r
	}
}

// issuedBy fails with R9 unless the decision was issued by superior, the
// committee directly above the organisation concerned.
func (op *operation) issuedBy(superior string) error {
	issuer := op.meta.Decision.IssuerID
	switch {
	case issuer == superior:
		return nil
	case op.sim != nil && op.sim.Draft:
		return nil // the decision comes when the scenario is applied
	case op.sim != nil:
		// A scenario is applied by one decision of a committee above
		// everything it changes, as the provinces decided the 2025 reforms.
		up, err := op.ancestors(superior)
		if err != nil {
			return err
		}
		if slices.Contains(up, issuer) {
			return nil
		}
	}
	// Neither committee is named: either may lie outside the caller's scope.
	return RuleIssuer.Violation("quyết định phải do cấp ủy cấp trên trực tiếp của tổ chức được thay đổi ban hành; " +
		"cấp ủy ban hành đã nêu không có thẩm quyền này")
}

// allow is err, except that a scenario records a shape finding about
// subject and goes on: a scenario is judged on the structure it ends with,
// not on the steps it takes there (a grassroots cell becomes a committee,
// then a cell is established and its members move into it).
func (op *operation) allow(subject string, err error) error {
	if op.sim == nil {
		return err
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != ERule {
		return err
	}
	op.sim.found(e, subject)
	return nil
}

// decidedAbove reads organisation id on the effective date and checks that
// the decision comes from the committee directly above it (R9).
func (op *operation) decidedAbove(id string) (OrgRecord, Org, error) {
	rec, o, err := op.orgOn(id, "tổ chức")
	if err != nil {
		return rec, o, err
	}
	return rec, o, op.issuedBy(superiorOf(o))
}

// superiorOf is the committee directly above an organisation on the effective
// date: its parent, or itself for a province (whose superior is outside the
// structure).
func superiorOf(o Org) string {
	if o.ParentID == "" {
		return o.ID
	}
	return o.ParentID
}

// ancestors lists organisation id and those above it on the effective date, as
// the transaction sees them.
func (op *operation) ancestors(id string) ([]string, error) {
	return ancestorsOn(op.ctx, op.tx, id, op.at)
}

// ancestorsOn lists organisation id and those above it on date at, as tx sees
// them.
func ancestorsOn(ctx context.Context, tx Tx, id string, at Date) ([]string, error) {
	var out []string
	for id != "" && len(out) <= NumKinds {
		rec, err := tx.Org(ctx, id)
		if err != nil {
			return nil, notFoundAs(err, "tổ chức", id)
		}
		out = append(out, id)
		v, ok := rec.At(at)
		if !ok {
			// The organisation ends on that date: it stood, until then,
			// where its last version put it.
			v, ok = rec.At(at - 1)
			if !ok {
				break
			}
		}
		id = v.ParentID
	}
	return out, nil
}

// scope is every organisation above or at what the operation touched, on the
// effective date, before and after: where the change shows in the history.
func (op *operation) scope() ([]string, error) {
	touched := make([]touch, len(op.order))
	for i, id := range op.order {
		touched[i] = touch{op.before[id], op.after[id]}
	}
	return scopeOn(op.at, touched, op.ancestors)
}

// touch is a record a change touched, as it found it (zero when the change
// created it) and as it left it.
type touch struct{ before, after Record }

// scopeOn is every organisation above or at the records touched on date at,
// before and after, walking up with ancestors.
func scopeOn(at Date, touched []touch, ancestors func(id string) ([]string, error)) ([]string, error) {
	var scope []string
	add := func(ids ...string) error {
		for _, id := range ids {
			if id == "" {
				continue
			}
			up, err := ancestors(id)
			if err != nil {
				return err
			}
			scope = append(scope, up...)
		}
		return nil
	}
	// On the effective date as the change found it and as it left it: the
	// day before would reach whoever held what moved out earlier that day.
	for _, t := range touched {
		for _, r := range []Record{t.before, t.after} {
			switch {
			case r.Org != nil:
				if v, ok := r.Org.At(at); ok {
					if err := add(r.Org.ID, v.ParentID); err != nil {
						return nil, err
					}
				}
			case r.Member != nil:
				// Where they live only when the change moves that: a
				// resident's rating is not their village's.
				residence := ""
				if b, a := t.before.Member, t.after.Member; b == nil || a == nil || b.ResidenceOn(at) != a.ResidenceOn(at) {
					residence = r.Member.ResidenceOn(at)
				}
				if err := add(r.Member.CellOn(at), residence); err != nil {
					return nil, err
				}
			}
		}
	}
	slices.Sort(scope)
	return slices.Compact(scope), nil
}

// checkLifetimes refuses an operation that would leave something tied to an
// organisation on dates it does not exist: with effective dates in any order,
// a decision recorded late may meet one already recorded for later (a member
// admitted to a cell whose dissolution is on record). Every record written
// must name only organisations that exist throughout the spans it names them
// for, and an organisation whose existence changed must still hold
// everything tied to it.
func (op *operation) checkLifetimes() error {
	for _, id := range op.order {
		after := op.after[id]
		switch {
		case after.Org != nil:
			for _, v := range after.Org.Versions {
				if v.ParentID != "" {
					if err := op.within(v.ParentID, v.Span, after.Org.ID); err != nil {
						return err
					}
				}
			}
			if before := op.before[id].Org; before != nil &&
				(before.Established() != after.Org.Established() || before.Ended() != after.Org.Ended()) {
				if err := op.holdsTies(after.Org); err != nil {
					return err
				}
			}
		case after.Member != nil:
			if err := op.memberWithin(after.Member); err != nil {
				return err
			}
		}
	}
	return nil
}

// within fails unless organisation id exists throughout span; what names it.
func (op *operation) within(id string, span Span, what string) error {
	rec, err := op.tx.Org(op.ctx, id)
	if err != nil {
		return notFoundAs(err, "tổ chức", id)
	}
	if !rec.covers(span) {
		// The decision that ended it, or that established it only later.
		t := rec.Ended()
		if rec.Established() > span.Since {
			t = rec.Established()
		}
		return Errorf(EConflict, "%s gắn với tổ chức %s từ %s đến %s, nhưng tổ chức này không tồn tại suốt thời gian đó "+
			"(%s có hiệu lực từ %s)", op.label(what), Quoted(rec.nameOn(span.Since)), span.Since, span.Until,
			op.decisionOn(Record{Org: &rec}, t), t)
	}
	return nil
}

func (op *operation) memberWithin(m *MemberRecord) error {
	for _, t := range m.ties() {
		if err := op.within(t.org, t.span, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// holdsTies fails unless every child and member tied to organisation rec
// falls within its existence.
func (op *operation) holdsTies(rec *OrgRecord) error {
	children, err := op.tx.ChildIDs(op.ctx, rec.ID)
	if err != nil {
		return err
	}
	for _, id := range children {
		child, err := op.tx.Org(op.ctx, id)
		if err != nil {
			return err
		}
		for _, v := range child.Versions {
			if v.ParentID == rec.ID && !rec.covers(v.Span) {
				return Errorf(EConflict, "tổ chức %s trực thuộc %s từ %s theo %s",
					Quoted(child.nameOn(v.Since)), Quoted(rec.nameOn(v.Since)), v.Since, op.decisionOn(Record{Org: &child}, v.Since))
			}
		}
	}
	members, err := op.tx.LinkedMembers(op.ctx, rec.ID)
	if err != nil {
		return err
	}
	for _, id := range members {
		m, err := op.tx.Member(op.ctx, id)
		if err != nil {
			return err
		}
		if err := op.memberWithin(&m); err != nil {
			return err
		}
	}
	return nil
}

// label names an organisation or a member the operation reads, for a
// message: by name, never by id.
func (op *operation) label(id string) string {
	if r, err := op.tx.Org(op.ctx, id); err == nil {
		return "tổ chức " + Quoted(r.nameOn(op.at))
	}
	if m, err := op.tx.Member(op.ctx, id); err == nil {
		return "đảng viên " + Quoted(m.FullName)
	}
	return "một bản ghi"
}

// maxLevels bounds a walk up the parents, far beyond the Charter's levels.
const maxLevels = 64

// sees is the caller's view of what an operation may touch (operation.sees),
// read up the parents in the operation's transaction tx: a read in a
// transaction of its own would wait for a second connection while tx holds one.
func (s *Service) sees(ctx context.Context, tx Tx) func(id string, at Date) (bool, error) {
	return func(id string, at Date) (bool, error) {
		p, err := Caller(ctx)
		if err != nil || p.Everywhere() {
			return err == nil, err
		}
		for range maxLevels { // a cycle in bad data ends the walk
			if slices.Contains(p.Scope, id) {
				return true, nil
			}
			r, err := tx.Org(ctx, id)
			if ErrorCode(err) == ENotFound {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			o, ok := r.OrgAt(at)
			if !ok || o.ParentID == "" {
				return false, nil
			}
			id = o.ParentID
		}
		return false, nil
	}
}
