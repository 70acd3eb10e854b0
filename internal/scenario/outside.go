package scenario

import (
	"context"
	"strconv"
	"strings"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// outside is an operation refused as naming an organisation its replay
// could not find, which lies outside the scenario's tree.
type outside struct {
	where string // "thao tác operations[i] (TYPE)"
	id    string
}

// orgsNamed are the organisations an operation names, in the order of its
// input.
func orgsNamed(op *org.Operation) []string {
	ids := []string{op.ID, op.ParentID, op.TargetID, op.CellID, op.OrgID, op.Destination.MembersTo, op.Destination.ChildrenTo}
	ids = append(ids, op.Sources...)
	ids = append(ids, op.ChildIDs...)
	if op.New != nil {
		ids = append(ids, op.New.ParentID)
	}
	if op.Admit != nil {
		ids = append(ids, op.Admit.CellID)
	}
	if op.Rating != nil {
		ids = append(ids, op.Rating.OrgID)
	}
	if op.Filter != nil {
		ids = append(ids, op.Filter.Within)
	}
	for _, m := range op.Mapping {
		ids = append(ids, m.Sources...)
		ids = append(ids, m.Target.ID)
		if m.Target.New != nil {
			ids = append(ids, m.Target.New.ParentID)
		}
	}
	return ids
}

// outsideOf is the first organisation op names that is not in the
// scenario's tree t, if its replay failed as not finding something.
func outsideOf(t *tree.Tree, where string, op *org.Operation, err error) *outside {
	if org.ErrorCode(err) != org.ENotFound {
		return nil
	}
	for _, id := range orgsNamed(op) {
		if id != "" && !t.Has(id) && strings.Contains(org.ErrorMessage(err), strconv.Quote(id)) {
			return &outside{where, id}
		}
	}
	return nil
}

// explain words the refusal of an operation naming an organisation outside
// the scenario's tree for a caller who sees that organisation: it exists,
// but the scenario cannot change it. To one who does not, err stands, as it
// says no more than that nothing of that id was found.
func (s *Service) explain(ctx context.Context, sc org.Scenario, o *outside, err error) error {
	named, serr := s.svc.Org(ctx, org.View{At: sc.BaseAsOf}, o.id)
	if serr != nil {
		return err
	}
	root, rerr := s.svc.Org(ctx, org.View{At: sc.BaseAsOf}, sc.Within)
	if rerr != nil {
		return err
	}
	return org.Errorf(org.EInvalid, "%s: %s nằm ngoài phạm vi của phương án, vốn chỉ thay đổi %s và các tổ chức trực thuộc.",
		o.where, org.Quoted(named.Name), org.Quoted(root.Name))
}
