package org

import (
	"cmp"
	"context"
	"slices"
)

// The operations that change the structure (Điều lệ Đảng, Điều 10–11): each
// runs in one transaction, checked against the Charter's shape rules (R5) on
// its effective date and against R9 (who decides), and is recorded in the
// history with its decision.

// structural checks, before the transaction, that the caller may change the
// structure and sees every organisation named.
func (s *Service) structural(ctx context.Context, at Date, ids ...string) error {
	p, err := Require(ctx, WriteStructure)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := s.seeOrgWhenWritten(ctx, p, at, id); err != nil {
			return notFoundAs(err, "tổ chức", id)
		}
	}
	return nil
}

// seeOrgWhenWritten is seeOrg on the effective date and, where the
// organisation still exists, today: a decision dated in the past may not
// reach what has since left the caller's subtree, and its write reaches
// today (a late rename renames it now too).
func (s *Service) seeOrgWhenWritten(ctx context.Context, p *Principal, at Date, id string) error {
	if err := s.SeeOrg(ctx, p, View{At: at}, id); err != nil {
		return err
	}
	now := s.today()
	if now == at {
		return nil
	}
	if _, err := s.store.Org(ctx, View{At: now}, id); err != nil {
		return nil // gone since: the past alone says whose it was
	}
	return s.SeeOrg(ctx, p, View{At: now}, id)
}

// EstablishOrg establishes an organisation under a parent, by the parent's decision.
func (s *Service) EstablishOrg(ctx context.Context, in NewOrg, meta Meta) (Change, error) {
	id := s.newID("o")
	return s.operate(ctx, ChangeEstablished, []string{id, in.ParentID}, meta, func(at Date) error {
		if in.ParentID == "" {
			return Errorf(EInvalid, "đảng bộ tỉnh do Trung ương thành lập: hãy nhập bằng import")
		}
		if err := checkNewOrg(&in); err != nil {
			return err
		}
		return s.structural(ctx, at, in.ParentID)
	}, func(op *operation) error {
		_, parent, err := op.orgOn(in.ParentID, "tổ chức cấp trên")
		if err != nil {
			return err
		}
		if err := op.issuedBy(parent.ID); err != nil {
			return err
		}
		return op.establish(id, in, &parent)
	})
}

func checkNewOrg(in *NewOrg) error {
	var err error
	if in.Name, err = CleanName("tên tổ chức", in.Name); err != nil {
		return err
	}
	if in.Code, err = cleanText("mã tổ chức", in.Code); err != nil {
		return err
	}
	if int(in.Kind) >= NumKinds || int(in.Sector) >= NumSectors {
		return Errorf(EInvalid, "loại tổ chức hoặc lĩnh vực không hợp lệ")
	}
	return nil
}

// establish writes a new organisation in force from the effective date.
func (op *operation) establish(id string, in NewOrg, parent *Org) error {
	if err := op.allow(id, checkPlacement(in.Kind, parent)); err != nil {
		return err
	}
	return op.putOrg(OrgRecord{ID: id, Code: in.Code, Versions: []Version{{
		Span: Span{op.at, Forever}, ParentID: parent.ID, Name: in.Name, Kind: in.Kind, Sector: in.Sector}}})
}

// RenameOrg gives an organisation a new name from the effective date.
func (s *Service) RenameOrg(ctx context.Context, id, name string, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeRenamed, []string{id}, meta, func(at Date) error {
		var err error
		if name, err = CleanName("tên tổ chức", name); err != nil {
			return err
		}
		return s.structural(ctx, at, id)
	}, func(op *operation) error {
		rec, o, err := op.decidedAbove(id)
		if err != nil {
			return err
		}
		if o.Name == name {
			return Errorf(EInvalid, "tổ chức đã mang tên %q", name)
		}
		err = rec.reviseFrom(op.at, func(a, b *Version) bool { return a.Name == b.Name }, func(v *Version) { v.Name = name })
		if err != nil {
			return err
		}
		return op.putOrg(rec)
	})
}

// TransferOrg moves an organisation, with its whole subtree, under another
// parent. The decision is the lowest committee above both parents.
func (s *Service) TransferOrg(ctx context.Context, id, parentID string, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeTransferred, []string{id, parentID}, meta, func(at Date) error {
		if id == parentID {
			return Errorf(EInvalid, "không thể chuyển tổ chức vào chính nó")
		}
		return s.structural(ctx, at, id, parentID)
	}, func(op *operation) error {
		rec, o, err := op.orgOn(id, "tổ chức")
		if err != nil {
			return err
		}
		if err := op.reparent(&rec, o, parentID); err != nil {
			return err
		}
		return op.putOrg(rec)
	})
}

// reparent moves organisation rec (o on the effective date) under parentID,
// checking the decision's issuer, cycles and the shape rules.
func (op *operation) reparent(rec *OrgRecord, o Org, parentID string) error {
	if o.ParentID == parentID {
		return Errorf(EInvalid, "%q đã trực thuộc %s", o.Name, op.label(parentID))
	}
	_, parent, err := op.orgOn(parentID, "tổ chức cấp trên mới")
	if err != nil {
		return err
	}
	newUp, err := op.ancestors(parentID)
	if err != nil {
		return err
	}
	if slices.Contains(newUp, o.ID) {
		return RuleShape.Violation("không thể chuyển %q vào tổ chức cấp dưới của chính nó", o.Name)
	}
	oldUp, err := op.ancestors(o.ParentID)
	if err != nil {
		return err
	}
	if err := op.issuedBy(lowestCommon(oldUp, newUp)); err != nil {
		return err
	}
	if err := op.allow(o.ID, checkPlacement(o.Kind, &parent)); err != nil {
		return err
	}
	return rec.reviseFrom(op.at, func(a, b *Version) bool { return a.ParentID == b.ParentID },
		func(v *Version) { v.ParentID = parentID })
}

// lowestCommon is the first organisation of up (from an organisation upwards)
// that other also holds: the lowest committee above both.
func lowestCommon(up, other []string) string {
	for _, id := range up {
		if slices.Contains(other, id) {
			return id
		}
	}
	return ""
}

// ChangeOrgKind changes what kind of organisation it is from the effective
// date, e.g. a grassroots cell that reached 30 members becomes a grassroots
// committee (R2). Its parent must be able to hold the new kind, and the new
// kind its children and members (R5). A committee holds no members: with
// membersTo, the same decision establishes that cell under it and moves its
// members there, the common real step.
func (s *Service) ChangeOrgKind(ctx context.Context, id string, kind Kind, membersTo *NewOrg, meta Meta) (Change, error) {
	subjects := []string{id}
	var cellID string
	if membersTo != nil {
		cellID = s.newID("o")
		subjects = append(subjects, cellID)
	}
	return s.operate(ctx, ChangeKindChanged, subjects, meta, func(at Date) error {
		if int(kind) >= NumKinds {
			return Errorf(EInvalid, "loại tổ chức không hợp lệ")
		}
		if membersTo != nil {
			if kind.HoldsMembers() {
				return Errorf(EInvalid, "%s giữ đảng viên trực tiếp: không cần lập chi bộ nhận đảng viên (membersTo)", kind.Vietnamese())
			}
			membersTo.ParentID = id
			if err := checkNewOrg(membersTo); err != nil {
				return err
			}
		}
		return s.structural(ctx, at, id)
	}, func(op *operation) error {
		rec, o, err := op.orgOn(id, "tổ chức")
		if err != nil {
			return err
		}
		if o.Kind == kind {
			return Errorf(EInvalid, "%q đã là %s", o.Name, kind.Vietnamese())
		}
		if err := op.issuedBy(superiorOf(o)); err != nil {
			return err
		}
		if o.ParentID != "" {
			_, parent, err := op.orgOn(o.ParentID, "tổ chức cấp trên")
			if err != nil {
				return err
			}
			if err := op.allow(id, checkPlacement(kind, &parent)); err != nil {
				return err
			}
		}
		children, err := op.childrenOn(id)
		if err != nil {
			return err
		}
		for _, c := range children {
			if !CanContain(kind, c.Kind) {
				err := RuleShape.Violation("%s %q không thể trực thuộc %s", c.Kind.Vietnamese(), c.Name, kind.Vietnamese())
				if err := op.allow(c.ID, err); err != nil {
					return err
				}
			}
		}
		members, err := op.membersOn(id)
		if err != nil {
			return err
		}
		if !kind.HoldsMembers() && len(members) > 0 && membersTo == nil {
			err := RuleShape.Violation("%s không có đảng viên sinh hoạt trực tiếp; %q còn %d đảng viên: hãy lập chi bộ nhận họ (membersTo)",
				kind.Vietnamese(), o.Name, len(members))
			if err := op.allow(id, err); err != nil {
				return err
			}
		}
		err = rec.reviseFrom(op.at, func(a, b *Version) bool { return a.Kind == b.Kind }, func(v *Version) { v.Kind = kind })
		if err != nil {
			return err
		}
		if err := op.putOrg(rec); err != nil {
			return err
		}
		if membersTo == nil {
			return nil
		}
		// The cell's establishment and each member's move are changes of
		// their own, as the history lists them, by the same decision.
		o.Kind = kind
		if err := op.aside(ChangeEstablished, cellID, id).establish(cellID, *membersTo, &o); err != nil {
			return err
		}
		for _, m := range members {
			if err := op.aside(ChangeMemberTransferred, m, cellID).moveMembers([]string{m}, cellID); err != nil {
				return err
			}
		}
		return nil
	})
}

// childrenOn lists the organisations directly under id on the effective date.
func (op *operation) childrenOn(id string) ([]Org, error) {
	ids, err := op.tx.ChildIDs(op.ctx, id)
	if err != nil {
		return nil, err
	}
	return keepRead(ids, func(cid string) (OrgRecord, error) { return op.tx.Org(op.ctx, cid) },
		func(r *OrgRecord) (Org, bool) {
			o, ok := r.OrgAt(op.at)
			return o, ok && o.ParentID == id
		})
}

// membersOn lists the ids of the members whose official cell is id on the effective date.
func (op *operation) membersOn(id string) ([]string, error) {
	ids, err := op.tx.LinkedMembers(op.ctx, id)
	if err != nil {
		return nil, err
	}
	return keepRead(ids, func(mid string) (MemberRecord, error) { return op.tx.Member(op.ctx, mid) },
		func(r *MemberRecord) (string, bool) { return r.ID, r.CellOn(op.at) == id })
}

// keepRead reads the record of each id and keeps what keep makes of those it accepts.
func keepRead[R, T any](ids []string, read func(string) (R, error), keep func(*R) (T, bool)) ([]T, error) {
	var out []T
	for _, id := range ids {
		r, err := read(id)
		if err != nil {
			return nil, err
		}
		if v, ok := keep(&r); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// Destination says where what an ending organisation holds goes.
type Destination struct {
	MembersTo  string // the cell its members move to
	ChildrenTo string // the organisation its sub-organisations move under
}

// DissolveOrg ends an organisation on the effective date. Its members and
// sub-organisations move where the caller says; a dissolution that would
// leave either without a place is refused.
func (s *Service) DissolveOrg(ctx context.Context, id string, to Destination, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeDissolved, []string{id, to.MembersTo, to.ChildrenTo}, meta, func(at Date) error {
		if id == to.MembersTo || id == to.ChildrenTo {
			return Errorf(EInvalid, "nơi chuyển đến không thể là chính tổ chức bị giải thể")
		}
		return s.structural(ctx, at, id, to.MembersTo, to.ChildrenTo)
	}, func(op *operation) error {
		rec, o, err := op.decidedAbove(id)
		if err != nil {
			return err
		}
		if err := op.moveContents(o, to); err != nil {
			return err
		}
		return op.end(&rec, "")
	})
}

// moveContents moves the members and sub-organisations of o, on the
// effective date, to their destinations.
func (op *operation) moveContents(o Org, to Destination) error {
	members, err := op.membersOn(o.ID)
	if err != nil {
		return err
	}
	if len(members) > 0 {
		if to.MembersTo == "" {
			return RuleShape.Violation("%q còn %d đảng viên: hãy chọn chi bộ nhận họ", o.Name, len(members))
		}
		if err := op.moveMembers(members, to.MembersTo); err != nil {
			return err
		}
	}
	children, err := op.childrenOn(o.ID)
	if err != nil {
		return err
	}
	if len(children) > 0 && to.ChildrenTo == "" {
		return RuleShape.Violation("%q còn %d tổ chức trực thuộc: hãy chọn tổ chức nhận", o.Name, len(children))
	}
	for _, c := range children {
		if err := op.placeUnder(c, to.ChildrenTo); err != nil {
			return err
		}
	}
	return nil
}

// moveMembers moves members' official activity to cell from the effective date.
func (op *operation) moveMembers(ids []string, cell string) error {
	_, c, err := op.orgOn(cell, "chi bộ nhận")
	if err != nil {
		return err
	}
	if err := op.allow(cell, checkMemberCell(&c)); err != nil {
		return err
	}
	for _, id := range ids {
		rec, err := op.member(id)
		if err != nil {
			return err
		}
		if !rec.MoveFrom(op.at, cell) {
			return Errorf(ENotFound, "đảng viên %q không sinh hoạt vào ngày %s", id, op.at)
		}
		if err := op.putMember(rec); err != nil {
			return err
		}
	}
	return nil
}

// placeUnder moves organisation c under parentID from the effective date, as
// part of a larger operation whose decision covers it.
func (op *operation) placeUnder(c Org, parentID string) error {
	_, parent, err := op.orgOn(parentID, "tổ chức nhận")
	if err != nil {
		return err
	}
	if err := op.allow(c.ID, checkPlacement(c.Kind, &parent)); err != nil {
		return err
	}
	rec, err := op.org(c.ID)
	if err != nil {
		return err
	}
	err = rec.reviseFrom(op.at, func(a, b *Version) bool { return a.ParentID == b.ParentID },
		func(v *Version) { v.ParentID = parentID })
	if err != nil {
		return err
	}
	return op.putOrg(rec)
}

// end ends an organisation on the effective date, with whatever still ties
// members to it: residence links to it and roles in it. Its residents' links
// move to residentsTo when given (villages merged), and end otherwise; each
// is recorded as a change of its own.
func (op *operation) end(rec *OrgRecord, residentsTo string) error {
	if since := rec.Established(); op.at <= since {
		// It would leave a record of an organisation that never existed.
		return Errorf(EInvalid, "tổ chức %s thành lập ngày %s: chỉ kết thúc được từ ngày sau đó", Quoted(rec.nameOn(since)), since)
	}
	linked, err := op.tx.LinkedMembers(op.ctx, rec.ID)
	if err != nil {
		return err
	}
	for _, id := range linked {
		peek, err := op.tx.Member(op.ctx, id)
		if err != nil {
			return notFoundAs(err, "đảng viên", id)
		}
		if peek.CellOn(op.at) == rec.ID {
			return Errorf(EInternal, "đảng viên %q vẫn sinh hoạt ở tổ chức bị kết thúc", id)
		}
		if since, planned := peek.plannedIn(rec.ID, op.at); planned {
			return Errorf(EConflict, "đảng viên %s gắn với %s từ %s theo %s; hãy sửa quyết định đó trước",
				Quoted(peek.FullName), Quoted(rec.nameOn(since)), since, op.decisionOn(Record{Member: &peek}, since))
		}
		if !peek.tiedAfter(rec.ID, op.at) {
			continue
		}
		// A member who only lives there keeps their own cell: their link
		// ends, recorded as such, and they are left to be linked anew.
		if peek.onlyResidesIn(rec.ID, op.at) {
			// A resident working outside the caller's scope is not theirs
			// to change: those above both decide. The member is not named.
			cell := cmp.Or(peek.CellOn(op.at-1), peek.CellOn(op.at))
			ok, err := op.sees(cell, op.at-1)
			if err != nil {
				return err
			}
			if cell != "" && !ok {
				return Errorf(EForbidden, "%s còn đảng viên ngoài phạm vi của bạn giữ liên hệ nơi cư trú: "+
					"việc này cần cấp ủy có thẩm quyền rộng hơn quyết định", Quoted(rec.nameOn(op.at-1)))
			}
		}
		by, to := op, ""
		switch {
		case !peek.onlyResidesIn(rec.ID, op.at):
		case residentsTo != "" && peek.CellOn(op.at) != residentsTo:
			to = residentsTo
			by = op.aside(ChangeResidenceSet, id, to)
		default:
			by = op.aside(ChangeResidenceEnded, id, rec.ID)
		}
		m, err := by.member(id)
		if err != nil {
			return err
		}
		m.leaveFrom(op.at, rec.ID)
		if to != "" {
			m.Residences = append(m.Residences, Residence{Span: Span{op.at, Forever}, CellID: to})
		}
		if err := by.putMember(m); err != nil {
			return err
		}
	}
	rec.endAt(op.at)
	return op.putOrg(*rec)
}

// MergeTarget is the organisation sources merge into: an existing one, or a
// new one established by the merger.
type MergeTarget struct {
	ID  string
	New *NewOrg
}

// MergeOrgs merges sources into a target on the effective date: their
// members and sub-organisations move to the target and the sources end. The
// decision is the lowest committee above every source and the target.
func (s *Service) MergeOrgs(ctx context.Context, sources []string, target MergeTarget, meta Meta) (Change, error) {
	targetID := target.ID
	if target.New != nil {
		targetID = s.newID("o")
	}
	subjects := append([]string{targetID}, sources...)
	return s.operate(ctx, ChangeMerged, subjects, meta, func(at Date) error {
		if len(sources) == 0 {
			return Errorf(EInvalid, "cần ít nhất một tổ chức được hợp nhất")
		}
		if (target.ID == "") == (target.New == nil) {
			return Errorf(EInvalid, "chọn đúng một: tổ chức nhận có sẵn (id) hoặc tổ chức mới (new)")
		}
		seen := map[string]bool{targetID: true}
		for _, id := range sources {
			if seen[id] {
				return Errorf(EInvalid, "tổ chức %q được nêu hai lần, hoặc hợp nhất vào chính nó", id)
			}
			seen[id] = true
		}
		ids := slices.Clone(sources)
		if target.New != nil {
			if err := checkNewOrg(target.New); err != nil {
				return err
			}
			ids = append(ids, target.New.ParentID)
		} else {
			ids = append(ids, target.ID)
		}
		return s.structural(ctx, at, ids...)
	}, func(op *operation) error {
		var ups [][]string
		srcs := make([]Org, len(sources))
		// Villages merged into a village: those who lived there live in
		// the merged one.
		residentsTo := ""
		for i, id := range sources {
			_, o, err := op.orgOn(id, "tổ chức được hợp nhất")
			if err != nil {
				return err
			}
			srcs[i] = o
			up, err := op.ancestors(o.ParentID)
			if err != nil {
				return err
			}
			ups = append(ups, up)
		}
		if target.New != nil {
			_, parent, err := op.orgOn(target.New.ParentID, "tổ chức cấp trên")
			if err != nil {
				return err
			}
			if err := op.establish(targetID, *target.New, &parent); err != nil {
				return err
			}
			if target.New.Kind.HoldsMembers() && target.New.Sector.IsResidential() {
				residentsTo = targetID
			}
			up, err := op.ancestors(parent.ID)
			if err != nil {
				return err
			}
			ups = append(ups, up)
		} else {
			_, t, err := op.orgOn(targetID, "tổ chức nhận")
			if err != nil {
				return err
			}
			if t.Kind.HoldsMembers() && t.Sector.IsResidential() {
				residentsTo = targetID
			}
			up, err := op.ancestors(t.ParentID)
			if err != nil {
				return err
			}
			ups = append(ups, up)
		}
		// The target, or the new one's parent, may not lie within a source:
		// the merger would move it under itself.
		for _, o := range srcs {
			if slices.Contains(ups[len(ups)-1], o.ID) {
				return RuleShape.Violation("không thể hợp nhất %q vào một tổ chức trực thuộc chính nó", o.Name)
			}
		}
		issuer := ups[0]
		for _, up := range ups[1:] {
			issuer = slices.DeleteFunc(slices.Clone(issuer), func(id string) bool { return !slices.Contains(up, id) })
		}
		if len(issuer) == 0 {
			return RuleIssuer.Violation("các tổ chức không có chung cấp ủy cấp trên")
		}
		if err := op.issuedBy(issuer[0]); err != nil {
			return err
		}
		for _, o := range srcs {
			if err := op.moveContents(o, Destination{MembersTo: targetID, ChildrenTo: targetID}); err != nil {
				return err
			}
			rec, err := op.org(o.ID)
			if err != nil {
				return err
			}
			if err := op.end(&rec, residentsTo); err != nil {
				return err
			}
		}
		return nil
	})
}

// SplitOrg establishes a new organisation from part of an existing one: the
// named members and sub-organisations move to it on the effective date. The
// new organisation sits under the same parent unless in.ParentID says
// otherwise; the decision is the committee above both.
func (s *Service) SplitOrg(ctx context.Context, id string, in NewOrg, members, children []string, meta Meta) (Change, error) {
	newID := s.newID("o")
	return s.operate(ctx, ChangeSplit, []string{id, newID}, meta, func(at Date) error {
		if err := checkNewOrg(&in); err != nil {
			return err
		}
		if len(members)+len(children) == 0 {
			return Errorf(EInvalid, "cần nêu đảng viên hoặc tổ chức trực thuộc chuyển sang tổ chức mới")
		}
		return s.structural(ctx, at, id, in.ParentID)
	}, func(op *operation) error {
		_, o, err := op.orgOn(id, "tổ chức được chia tách")
		if err != nil {
			return err
		}
		if in.ParentID == "" {
			in.ParentID = o.ParentID
		}
		_, parent, err := op.orgOn(in.ParentID, "tổ chức cấp trên")
		if err != nil {
			return err
		}
		oldUp, err := op.ancestors(o.ParentID)
		if err != nil {
			return err
		}
		newUp, err := op.ancestors(parent.ID)
		if err != nil {
			return err
		}
		if err := op.issuedBy(lowestCommon(oldUp, newUp)); err != nil {
			return err
		}
		if err := op.establish(newID, in, &parent); err != nil {
			return err
		}
		own, err := op.membersOn(id)
		if err != nil {
			return err
		}
		for _, m := range members {
			if !slices.Contains(own, m) {
				return Errorf(EInvalid, "đảng viên %q không sinh hoạt ở %q vào ngày %s", m, o.Name, op.at)
			}
		}
		if len(members) > 0 {
			if err := op.moveMembers(members, newID); err != nil {
				return err
			}
		}
		subs, err := op.childrenOn(id)
		if err != nil {
			return err
		}
		for _, cid := range children {
			i := slices.IndexFunc(subs, func(c Org) bool { return c.ID == cid })
			if i < 0 {
				return Errorf(EInvalid, "tổ chức %q không trực thuộc %q vào ngày %s", cid, o.Name, op.at)
			}
			if err := op.placeUnder(subs[i], newID); err != nil {
				return err
			}
		}
		return nil
	})
}
