package org

import (
	"context"
	"slices"
)

// The operations on members (Điều lệ Đảng, Điều 4–8; Quy định 213-QĐ/TW):
// each is decided by the committee directly above the member's cell, takes
// effect on its date and is recorded in the history.

// RemovalReason is why a member leaves the Party's rolls.
type RemovalReason uint8

const (
	RemovalExpelled       RemovalReason = iota // khai trừ
	RemovalStruckOff                           // xóa tên
	RemovalWithdrew                            // xin ra khỏi Đảng
	RemovalDeceased                            // từ trần
	RemovalTransferredOut                      // chuyển sinh hoạt ra ngoài
)

var removalReasons = enumNames[RemovalReason]{"lý do", []string{"EXPELLED", "STRUCK_OFF", "WITHDREW", "DECEASED", "TRANSFERRED_OUT"}}

func (r RemovalReason) String() string { return removalReasons.String(r) }

// memberOp checks, before the transaction, that the caller may record member
// operations and sees the member's cell and every other organisation named.
func (s *Service) memberOp(ctx context.Context, at Date, memberID string, orgs ...string) error {
	p, err := Require(ctx, WriteMembers)
	if err != nil {
		return err
	}
	if memberID != "" {
		if _, err := s.Member(ctx, View{At: at}, memberID); err != nil {
			return err
		}
		// As for organisations (seeOrgWhenWritten): where they are today too.
		if now := s.today(); now != at {
			if _, err := s.store.Member(ctx, View{At: now}, memberID); err == nil {
				if _, err := s.Member(ctx, View{At: now}, memberID); err != nil {
					return err
				}
			}
		}
	}
	for _, id := range orgs {
		if err := s.seeOrgWhenWritten(ctx, p, at, id); err != nil {
			return notFoundAs(err, "tổ chức", id)
		}
	}
	return nil
}

// memberOn reads member id and their official cell on the effective date,
// and checks that the decision comes from the committee above that cell.
func (op *operation) memberOn(id string) (MemberRecord, Org, error) {
	rec, err := op.member(id)
	if err != nil {
		return rec, Org{}, err
	}
	cellID := rec.CellOn(op.at)
	if cellID == "" {
		return rec, Org{}, Errorf(ENotFound, "đảng viên %q không sinh hoạt vào ngày %s", id, op.at)
	}
	_, cell, err := op.orgOn(cellID, "chi bộ")
	if err != nil {
		return rec, Org{}, err
	}
	return rec, cell, op.issuedBy(superiorOf(cell))
}

// cellOn reads a cell members may belong to on the effective date.
func (op *operation) cellOn(id, what string) (Org, error) {
	_, cell, err := op.orgOn(id, what)
	if err != nil {
		return Org{}, err
	}
	return cell, op.allow(id, checkMemberCell(&cell))
}

// AdmitMember admits a new, probationary member to a cell on the effective
// date (the admission date).
func (s *Service) AdmitMember(ctx context.Context, in NewMember, meta Meta) (Change, error) {
	id := s.newID("m")
	return s.operate(ctx, ChangeAdmitted, []string{id, in.CellID}, meta, func(at Date) error {
		in.Status, in.AdmittedOn = Probationary, at
		if err := s.checkNewMember(&in, max(at, s.today())); err != nil {
			return err
		}
		return s.memberOp(ctx, at, "", in.CellID)
	}, func(op *operation) error {
		cell, err := op.cellOn(in.CellID, "chi bộ")
		if err != nil {
			return err
		}
		if err := op.issuedBy(superiorOf(cell)); err != nil {
			return err
		}
		return op.putMember(MemberRecord{
			ID: id, FullName: in.FullName, Gender: in.Gender, AdmittedOn: op.at, Theory: in.Theory,
			Personal: in.Personal, Stints: []Stint{{Span: Span{op.at, Forever}, CellID: in.CellID}},
		})
	})
}

// ConfirmOfficial makes a probationary member official on the effective date,
// at least twelve months after admission (Điều lệ Đảng, Điều 5).
func (s *Service) ConfirmOfficial(ctx context.Context, memberID string, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeConfirmed, []string{memberID}, meta, func(at Date) error {
		return s.memberOp(ctx, at, memberID)
	}, func(op *operation) error {
		rec, _, err := op.memberOn(memberID)
		if err != nil {
			return err
		}
		if rec.OfficialOn != nil {
			return Errorf(EConflict, "đảng viên %q đã là đảng viên chính thức từ %s", rec.FullName, *rec.OfficialOn)
		}
		if op.at < rec.AdmittedOn.AddYears(1) {
			return RuleProbation.Violation("chưa đủ 12 tháng dự bị: kết nạp %s, công nhận chính thức sớm nhất %s",
				rec.AdmittedOn, rec.AdmittedOn.AddYears(1))
		}
		rec.OfficialOn = &op.at
		return op.putMember(rec)
	})
}

// TransferMember moves a member's party activity to another cell on the
// effective date: for good, or, with until set, temporarily (sinh hoạt tạm
// thời) — they are then still counted by their own cell and the temporary
// activity ends on until. The decision is the committee above both cells.
func (s *Service) TransferMember(ctx context.Context, memberID, cellID string, until Date, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeMemberTransferred, []string{memberID, cellID}, meta, func(at Date) error {
		if until != 0 && until <= at {
			return Errorf(EInvalid, "ngày kết thúc sinh hoạt tạm thời %s phải sau ngày có hiệu lực %s", until, at)
		}
		return s.memberOp(ctx, at, memberID, cellID)
	}, func(op *operation) error {
		rec, err := op.member(memberID)
		if err != nil {
			return err
		}
		from := rec.CellOn(op.at)
		if from == "" {
			return Errorf(ENotFound, "đảng viên %q không sinh hoạt vào ngày %s", memberID, op.at)
		}
		if from == cellID {
			return Errorf(EInvalid, "đảng viên đã sinh hoạt ở %s", op.label(cellID))
		}
		_, fromCell, err := op.orgOn(from, "chi bộ")
		if err != nil {
			return err
		}
		to, err := op.cellOn(cellID, "chi bộ nhận")
		if err != nil {
			return err
		}
		fromUp, err := op.ancestors(fromCell.ParentID)
		if err != nil {
			return err
		}
		toUp, err := op.ancestors(to.ParentID)
		if err != nil {
			return err
		}
		if err := op.issuedBy(lowestCommon(fromUp, toUp)); err != nil {
			return err
		}
		if until != 0 {
			rec.Stints = append(rec.Stints, Stint{Span: Span{op.at, until}, CellID: cellID, Temporary: true})
			slices.SortStableFunc(rec.Stints, func(a, b Stint) int { return int(a.Since) - int(b.Since) })
		} else {
			rec.MoveFrom(op.at, cellID)
		}
		return op.putMember(rec)
	})
}

// RemoveMember takes a member off the rolls on the effective date, for a
// reason: every stint, residence link and role ends then.
func (s *Service) RemoveMember(ctx context.Context, memberID string, reason RemovalReason, meta Meta) (Change, error) {
	if int(reason) >= len(removalReasons.names) {
		return Change{}, Errorf(EInvalid, "lý do không hợp lệ")
	}
	meta.Note = joinNote(reason.String(), meta.Note)
	return s.operate(ctx, ChangeMemberRemoved, []string{memberID}, meta, func(at Date) error {
		return s.memberOp(ctx, at, memberID)
	}, func(op *operation) error {
		rec, _, err := op.memberOn(memberID)
		if err != nil {
			return err
		}
		rec.leaveFrom(op.at, "")
		return op.putMember(rec)
	})
}

// joinNote puts a structured reason ahead of the caller's note.
func joinNote(reason, note string) string {
	if note == "" {
		return reason
	}
	return reason + ": " + note
}

// SetResidence links a working member, from the effective date, to the
// village or residential-group cell where they live, ending the link they had
// (R6). The caller's scope must hold both the member and the cell.
func (s *Service) SetResidence(ctx context.Context, memberID, cellID string, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeResidenceSet, []string{memberID, cellID}, meta, func(at Date) error {
		return s.memberOp(ctx, at, memberID, cellID)
	}, func(op *operation) error {
		rec, own, err := op.memberOn(memberID)
		if err != nil {
			return err
		}
		_, cell, err := op.orgOn(cellID, "chi bộ nơi cư trú")
		if err != nil {
			return err
		}
		if err := op.allow(memberID, CheckResidence(&cell, own.ID)); err != nil {
			return err
		}
		if rec.ResidenceOn(op.at) == cellID {
			return Errorf(EInvalid, "đảng viên đã giữ liên hệ với chi bộ %q", cell.Name)
		}
		op.leaves(&rec)
		rec.EndResidence(op.at)
		rec.Residences = append(rec.Residences, Residence{Span: Span{op.at, Forever}, CellID: cellID})
		return op.putMember(rec)
	})
}

// leaves names, among the change's subjects, the village member rec's
// residence link leaves: its history lists a resident leaving as the new
// village's lists one arriving.
func (op *operation) leaves(rec *MemberRecord) {
	if cell := rec.ResidenceOn(op.at); cell != "" {
		op.left = append(op.left, cell)
	}
}

// EndResidence ends a member's residence link on the effective date.
func (s *Service) EndResidence(ctx context.Context, memberID string, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeResidenceEnded, []string{memberID}, meta, func(at Date) error {
		return s.memberOp(ctx, at, memberID)
	}, func(op *operation) error {
		rec, _, err := op.memberOn(memberID)
		if err != nil {
			return err
		}
		if rec.ResidenceOn(op.at) == "" {
			return Errorf(EInvalid, "đảng viên không có liên hệ nơi cư trú vào ngày %s", op.at)
		}
		op.leaves(&rec)
		rec.EndResidence(op.at)
		return op.putMember(rec)
	})
}

// AssignRole gives a member a leadership role in an organisation from the
// effective date; the organisation's superior decides. A member holds a role
// only in an organisation their cell belongs to.
func (s *Service) AssignRole(ctx context.Context, memberID, orgID string, role Role, headOfUnit bool, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeRoleAssigned, []string{memberID, orgID}, meta, func(at Date) error {
		if int(role) >= len(roles.names) {
			return Errorf(EInvalid, "chức vụ không hợp lệ")
		}
		return s.memberOp(ctx, at, memberID, orgID)
	}, func(op *operation) error {
		rec, err := op.member(memberID)
		if err != nil {
			return err
		}
		cell := rec.CellOn(op.at)
		if cell == "" {
			return Errorf(ENotFound, "đảng viên %q không sinh hoạt vào ngày %s", memberID, op.at)
		}
		_, o, err := op.orgOn(orgID, "tổ chức")
		if err != nil {
			return err
		}
		if role == VillageHead {
			if err := villageHeadOf(&rec, &o, op.at); err != nil {
				return err
			}
		} else if up, err := op.ancestors(cell); err != nil {
			return err
		} else if !slices.Contains(up, orgID) {
			return RuleMembership.Violation("đảng viên chỉ giữ chức vụ ở tổ chức có chi bộ của mình; %q không chứa chi bộ của đảng viên", o.Name)
		}
		if err := op.issuedBy(superiorOf(o)); err != nil {
			return err
		}
		for _, t := range rec.Roles {
			if t.OrgID == orgID && t.Role == role && t.Holds(op.at) {
				return Errorf(EInvalid, "đảng viên đã giữ chức vụ này")
			}
		}
		rec.Roles = append(rec.Roles, RoleTerm{Span: Span{op.at, Forever}, OrgID: orgID, Role: role, HeadOfUnit: headOfUnit})
		return op.putMember(rec)
	})
}

// EndRole ends a member's role in an organisation on the effective date.
func (s *Service) EndRole(ctx context.Context, memberID, orgID string, role Role, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeRoleEnded, []string{memberID, orgID}, meta, func(at Date) error {
		return s.memberOp(ctx, at, memberID, orgID)
	}, func(op *operation) error {
		rec, err := op.member(memberID)
		if err != nil {
			return err
		}
		if _, _, err = op.decidedAbove(orgID); err != nil {
			return err
		}
		holds := func(t *RoleTerm) bool { return t.OrgID == orgID && t.Role == role && t.Holds(op.at) }
		if !slices.ContainsFunc(rec.Roles, func(t RoleTerm) bool { return holds(&t) }) {
			return Errorf(EInvalid, "đảng viên không giữ chức vụ này vào ngày %s", op.at)
		}
		rec.Roles = endFacts(rec.Roles, op.at, holds)
		return op.putMember(rec)
	})
}

// Rating records the quality rating of an organisation or a member for a
// year (Quy định 132-QĐ/TW); exactly one of OrgID and MemberID is set.
type Rating struct {
	OrgID, MemberID string
	Year            int
	Grade           Grade
}

// RecordRating records a yearly rating, in force from the effective date: one
// recorded before for the same year stays in force until then; the superior
// of the organisation (of the member's cell) decides.
func (s *Service) RecordRating(ctx context.Context, r Rating, meta Meta) (Change, error) {
	subject := r.OrgID + r.MemberID
	return s.operate(ctx, ChangeRated, []string{subject}, meta, func(at Date) error {
		if (r.OrgID == "") == (r.MemberID == "") {
			return Errorf(EInvalid, "xếp loại một tổ chức hoặc một đảng viên, không cả hai")
		}
		if r.Year < 1930 || r.Year > at.Year() || int(r.Grade) >= len(grades.names) {
			return Errorf(EInvalid, "năm %d hoặc mức xếp loại không hợp lệ", r.Year)
		}
		if r.OrgID != "" {
			return s.structural(ctx, at, r.OrgID)
		}
		return s.memberOp(ctx, at, r.MemberID)
	}, func(op *operation) error {
		rating := YearRating{Year: r.Year, Grade: r.Grade, On: op.at}
		if r.MemberID != "" {
			rec, _, err := op.memberOn(r.MemberID)
			if err != nil {
				return err
			}
			rec.Ratings = decide(rec.Ratings, rating)
			return op.putMember(rec)
		}
		rec, _, err := op.decidedAbove(r.OrgID)
		if err != nil {
			return err
		}
		rec.Ratings = decide(rec.Ratings, rating)
		return op.putOrg(rec)
	})
}
