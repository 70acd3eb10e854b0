package org

import (
	"context"
	"math"
)

// Violation is one breach of a rule of the Party Charter (the `rules` query lists them)
// found in the structure.
type Violation struct {
	Rule    Rule
	Subject string // the organisation (or member) concerned
	// Via is, for a finding about a member, the organisation it rests on
	// (the cell their residence link points to): a scenario's operation
	// that changed it caused the finding.
	Via     string
	Message string // in Vietnamese, naming the organisation and the figures
	// OperationKey is the key of the scenario operation that caused it; 0
	// for a finding of the structure itself.
	OperationKey int
	// Interim marks a shape finding of a scenario's operation as it ran:
	// the structure the scenario ends with decides whether it stands.
	Interim bool
}

// CheckNodes runs the rules that the structure and its counts decide (R1,
// R2, R3, R5) over a subtree listed parents first, as ChartNodes lists it;
// parent is the root's parent (nil for a province).
func CheckNodes(nodes []ChartNode, parent *Org) []Violation {
	byID := make(map[string]*Org, len(nodes))
	var out []Violation
	add := func(r Rule, n *ChartNode, format string, args ...any) {
		out = append(out, Violation{Rule: r, Subject: n.ID, Message: r.Violation(format, args...).Message})
	}
	for i := range nodes {
		n := &nodes[i]
		byID[n.ID] = &n.Org
		up, known := byID[n.ParentID], true
		if i == 0 && n.ParentID != "" {
			up, known = parent, parent != nil
		}
		if known {
			if err := checkPlacement(n.Kind, up); err != nil {
				add(RuleShape, n, "%q: %s", n.Name, ErrorMessage(err))
			}
		}
		c := &n.Counts
		if !n.Kind.HoldsMembers() && c.DirectMembers() > 0 {
			add(RuleShape, n, "%q là %s nhưng có %d đảng viên sinh hoạt trực tiếp", n.Name, n.Kind.Vietnamese(), c.DirectMembers())
		}
		if n.Kind.HoldsMembers() && c.Official < 3 {
			add(RuleMinOfficial, n, "%q chỉ có %d đảng viên chính thức, cần ít nhất 3", n.Name, c.Official)
		}
		switch {
		case n.Kind == GrassrootsCell && c.Members() >= 30:
			add(RuleGrassrootsSize, n, "%q có %d đảng viên (từ 30 trở lên): nên lập đảng bộ cơ sở", n.Name, c.Members())
		case n.Kind == GrassrootsCommittee && c.Members() < 30:
			add(RuleGrassrootsSize, n, "%q chỉ có %d đảng viên (dưới 30): cần cấp ủy cấp trên trực tiếp đồng ý", n.Name, c.Members())
		case n.Kind == Cell && c.Members() > 30:
			add(RuleCellSize, n, "%q có %d đảng viên (trên 30): cần cấp ủy cấp trên trực tiếp đồng ý", n.Name, c.Members())
		}
	}
	return out
}

// Violations runs the Charter's rules over organisation within —
// and its whole subtree when subtree is set — keeping findings of severity
// at most least (SeverityInfo for all).
func (s *Service) Violations(ctx context.Context, v View, within string, subtree bool, least Severity) ([]Violation, error) {
	if v.Scenario != "" {
		sc, err := s.evaluator(v.Scenario)
		if err != nil {
			return nil, err
		}
		return sc.Violations(ctx, v.Scenario, within, subtree, least)
	}
	depth := -1
	if !subtree {
		depth = 0
	}
	nodes, err := s.ChartNodes(ctx, v, ChartQuery{RootID: within, Depth: depth}, math.MaxInt)
	if err != nil {
		return nil, err
	}
	var parent *Org
	if pid := nodes[0].ParentID; pid != "" {
		p, err := s.liveOrg(ctx, v, pid)
		if err != nil {
			return nil, err
		}
		parent = &p
	}
	found := CheckNodes(nodes, parent)
	byMembers, err := s.memberFindings(ctx, v, nodes)
	if err != nil {
		return nil, err
	}
	found = append(found, byMembers...)
	out := found[:0]
	for _, f := range found {
		if f.Rule.Severity <= least {
			out = append(out, f)
		}
	}
	return out, nil
}

// liveOrg reads organisation id from the live structure, also on a Service
// answering for a scenario: what lies above its subtree is as it is.
func (s *Service) liveOrg(ctx context.Context, v View, id string) (Org, error) {
	if s.under != nil {
		return s.under.Org(ctx, View{At: s.today()}, id)
	}
	return s.store.Org(ctx, v, id)
}
