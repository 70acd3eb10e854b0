package org

import (
	"context"
	"time"
)

// A generator writes a history by running the domain's own operations, as a
// scenario's are run, with the ids and recording times it chooses: the demo
// data is the same history every time it is generated.

// Generator returns a copy of s whose operations take the ids of what they
// create from ids and record their changes at the times now gives, one call
// per change recorded.
func (s *Service) Generator(ids func(prefix string) string, now func() time.Time) *Service {
	g := *s
	g.ids, g.now = ids, now
	return &g
}

// clock is when the Service's changes are recorded.
func (s *Service) clock() func() time.Time {
	if s.now != nil {
		return s.now
	}
	return time.Now
}

// Run applies one operation by decision meta, the operation's note as the
// change's: the operations of a scenario one at a time, each with its own
// decision. A bulk operation, which selects in a scenario's structure, runs
// only in scenarios.
func (s *Service) Run(ctx context.Context, op Operation, meta Meta) error {
	meta.Note = op.Note
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
	case OpTransferWhere, OpMergeByMapping, OpFlattenLevel:
		err = Errorf(EInvalid, "thao tác hàng loạt chỉ dùng trong phương án")
	default:
		err = Errorf(EInvalid, "loại thao tác không hợp lệ")
	}
	return err
}
