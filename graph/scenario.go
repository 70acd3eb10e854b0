package graph

import (
	"context"

	"dangbo/graph/model"
	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// scenarioOf binds a scenario a mutation or query returned, and keeps it as
// the request's scenario of its id.
func (r *Resolver) scenarioOf(ctx context.Context, sc org.Scenario, err error) (*model.Scenario, error) {
	if err != nil {
		return nil, err
	}
	r.loaders(ctx).rememberScenario(sc)
	return model.NewScenario(sc), nil
}

// result is what operation op did at the scenario's last replay, made once
// per Scenario object.
func (r *Resolver) result(ctx context.Context, op *model.ScenarioOperation) (*scenario.OpResult, error) {
	sc := op.Scenario
	return sc.Result(op.Key, func() (scenario.Evaluation, error) { return r.ScenarioService.Evaluate(ctx, sc.ID) })
}

// operationOf is the operation of input i of addScenarioOperations: exactly
// one of its operation fields is set.
func operationOf(i int, in *model.ScenarioOperationInput) (org.Operation, error) {
	var ops []org.Operation
	add := func(set bool, op func() org.Operation) {
		if set {
			ops = append(ops, op())
		}
	}
	add(in.EstablishOrg != nil, func() org.Operation {
		n := orgOfInput(*in.EstablishOrg)
		return org.Operation{Type: org.OpEstablishOrg, New: &n}
	})
	add(in.RenameOrg != nil, func() org.Operation {
		return org.Operation{Type: org.OpRenameOrg, ID: in.RenameOrg.ID, Name: in.RenameOrg.Name}
	})
	add(in.TransferOrg != nil, func() org.Operation {
		return org.Operation{Type: org.OpTransferOrg, ID: in.TransferOrg.ID, ParentID: in.TransferOrg.ParentID}
	})
	add(in.MergeOrgs != nil, func() org.Operation {
		m := in.MergeOrgs
		t := mergeTargetOf(m.TargetID, m.NewTarget)
		return org.Operation{Type: org.OpMergeOrgs, Sources: m.SourceIds, TargetID: t.ID, New: t.New}
	})
	add(in.SplitOrg != nil, func() org.Operation {
		s := in.SplitOrg
		n := orgOfInput(*s.NewOrg)
		return org.Operation{Type: org.OpSplitOrg, ID: s.ID, New: &n, MemberIDs: s.MemberIds, ChildIDs: s.ChildIds}
	})
	add(in.DissolveOrg != nil, func() org.Operation {
		d := in.DissolveOrg
		return org.Operation{Type: org.OpDissolveOrg, ID: d.ID,
			Destination: org.Destination{MembersTo: deref(d.MembersTo), ChildrenTo: deref(d.ChildrenTo)}}
	})
	add(in.ChangeOrgKind != nil, func() org.Operation {
		k := in.ChangeOrgKind
		return org.Operation{Type: org.OpChangeOrgKind, ID: k.ID, Kind: k.Kind, New: newOrgOf(k.MembersTo)}
	})
	add(in.AdmitMember != nil, func() org.Operation {
		m := memberOfInput(*in.AdmitMember)
		return org.Operation{Type: org.OpAdmitMember, Admit: &m}
	})
	add(in.ConfirmOfficial != nil, func() org.Operation {
		return org.Operation{Type: org.OpConfirmOfficial, MemberID: in.ConfirmOfficial.MemberID}
	})
	add(in.TransferMember != nil, func() org.Operation {
		t := in.TransferMember
		return org.Operation{Type: org.OpTransferMember, MemberID: t.MemberID, CellID: t.CellID, Until: deref(t.Until)}
	})
	add(in.RemoveMember != nil, func() org.Operation {
		return org.Operation{Type: org.OpRemoveMember, MemberID: in.RemoveMember.MemberID, Reason: in.RemoveMember.Reason}
	})
	add(in.SetResidence != nil, func() org.Operation {
		return org.Operation{Type: org.OpSetResidence, MemberID: in.SetResidence.MemberID, CellID: in.SetResidence.CellID}
	})
	add(in.EndResidence != nil, func() org.Operation {
		return org.Operation{Type: org.OpEndResidence, MemberID: in.EndResidence.MemberID}
	})
	add(in.AssignRole != nil, func() org.Operation {
		a := in.AssignRole
		return org.Operation{Type: org.OpAssignRole, MemberID: a.MemberID, OrgID: a.OrgID, Role: a.Role, HeadOfUnit: deref(a.HeadOfUnit)}
	})
	add(in.EndRole != nil, func() org.Operation {
		e := in.EndRole
		return org.Operation{Type: org.OpEndRole, MemberID: e.MemberID, OrgID: e.OrgID, Role: e.Role}
	})
	add(in.RecordRating != nil, func() org.Operation {
		rt := in.RecordRating
		return org.Operation{Type: org.OpRecordRating,
			Rating: &org.Rating{OrgID: deref(rt.OrgID), MemberID: deref(rt.MemberID), Year: rt.Year, Grade: rt.Rating}}
	})
	add(in.TransferWhere != nil, func() org.Operation {
		f := in.TransferWhere.Filter
		return org.Operation{Type: org.OpTransferWhere, TargetID: in.TransferWhere.TargetID, Filter: &org.OrgFilter{
			Within: f.Within, Kinds: f.Kinds, Sectors: f.Sectors, MaxMembers: f.MaxMembers, MinMembers: f.MinMembers}}
	})
	add(in.MergeByMapping != nil, func() org.Operation {
		mapping := make([]org.MergeMapping, len(in.MergeByMapping.Mappings))
		for j, m := range in.MergeByMapping.Mappings {
			mapping[j] = org.MergeMapping{Sources: m.SourceIds, Target: mergeTargetOf(m.TargetID, m.NewTarget)}
		}
		return org.Operation{Type: org.OpMergeByMapping, Mapping: mapping}
	})
	add(in.FlattenLevel != nil, func() org.Operation {
		f := in.FlattenLevel
		return org.Operation{Type: org.OpFlattenLevel, Kind: f.Kind, Filter: &org.OrgFilter{
			Within: f.Within, Sectors: f.Sectors, MaxMembers: f.MaxMembers, MinMembers: f.MinMembers}}
	})
	if len(ops) != 1 {
		return org.Operation{}, org.Errorf(org.EInvalid,
			"thao tác operations[%d] phải chọn đúng một loại thao tác (establishOrg, renameOrg, …), nhận %d", i, len(ops))
	}
	op := ops[0]
	op.Note = deref(in.Note)
	return op, nil
}

// mergeTargetOf is the target of a merger: an existing organisation or a new one.
func mergeTargetOf(id *string, newTarget *model.NewOrgInput) org.MergeTarget {
	t := org.MergeTarget{ID: deref(id)}
	if newTarget != nil {
		n := orgOfInput(*newTarget)
		t.New = &n
	}
	return t
}

// scenarioDiff maps a diff: what it was is live on the scenario's base date,
// what it would be is in the scenario.
func scenarioDiff(sc *org.Scenario, d org.ScenarioDiff) *model.ScenarioDiff {
	live, whatIf := org.View{At: sc.BaseAsOf}, sc.View()
	out := &model.ScenarioDiff{
		Scenario:           model.NewScenario(*sc),
		AsIs:               &model.Statistics{Counts: d.AsIs, AsOf: sc.BaseAsOf, OrgID: sc.Within, View: live},
		ToBe:               &model.Statistics{Counts: d.ToBe, AsOf: sc.BaseAsOf, OrgID: sc.Within, View: whatIf},
		Figures:            make([]*model.ScenarioFigure, len(d.Figures)),
		Nodes:              make([]*model.NodeChange, len(d.Nodes)),
		ViolationsAdded:    violationsOf(d.Added, whatIf),
		ViolationsResolved: violationsOf(d.Resolved, live),
	}
	for i, f := range d.Figures {
		out.Figures[i] = &model.ScenarioFigure{Name: f.Name, AsIs: f.AsIs, ToBe: f.ToBe, Net: f.Net()}
	}
	for i, c := range d.Nodes {
		n := &model.NodeChange{ID: c.ID, Changes: c.Kinds, MemberDelta: int(c.MemberDelta)}
		if c.Before != nil {
			n.Before = orgOf(*c.Before, live)
		}
		if c.After != nil {
			n.After = orgOf(*c.After, whatIf)
		}
		out.Nodes[i] = n
	}
	return out
}
