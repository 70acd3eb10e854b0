package org

import (
	"context"
)

// memberFindings runs the rules that members decide over the cells among
// nodes (listed parents first, as ChartNodes lists them): R4 (a cell of nine
// or more official members elects a cell committee), R6 (a residence link
// points to another, residential cell; a warning for a member whose link
// ended and who has none since), R7 (probation overdue) and R8
// (excellent ratings at most a fifth of good ones, per grassroots
// organisation, for the last year rated).
func (s *Service) memberFindings(ctx context.Context, v View, nodes []ChartNode) ([]Violation, error) {
	byID := make(map[string]*ChartNode, len(nodes))
	for i := range nodes {
		byID[nodes[i].ID] = &nodes[i]
	}
	type tally struct{ excellent, good int }
	ratings := map[string]*tally{} // by grassroots organisation
	year := v.At.Year() - 1
	var out []Violation
	var residents []Member
	for i := range nodes {
		cell := &nodes[i]
		if !cell.Kind.IsCell() || cell.Counts.DirectMembers() == 0 {
			continue
		}
		// A province reads a hundred thousand members here: stop at the
		// request's deadline rather than finish work nobody waits for.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := s.store.CellMembers(ctx, v, cell.ID, PageQuery{First: MaxResidents})
		if err != nil {
			return nil, err
		}
		grassroots := cell.ID
		for n := cell; n != nil && !n.Kind.IsGrassroots(); n = byID[n.ParentID] {
			grassroots = n.ParentID
		}
		t := ratings[grassroots]
		if t == nil {
			t = &tally{}
			ratings[grassroots] = t
		}
		leaders := 0
		for _, m := range page.Members {
			for _, r := range m.Roles {
				if r.OrgID == cell.ID {
					leaders++
					break
				}
			}
			if m.probationOverdue(v.At) {
				out = append(out, Violation{Rule: RuleProbation, Subject: m.ID, Message: RuleProbation.Violation(
					"%s dự bị từ %s, quá 12 tháng chưa được xét công nhận chính thức", m.FullName, m.AdmittedOn).Message})
			}
			if m.ResidenceCellID != "" {
				residents = append(residents, m)
			} else if m.ResidenceEndedOn != 0 {
				out = append(out, Violation{Rule: RuleResidenceLost, Subject: m.ID, Message: RuleResidenceLost.Violation(
					"%s không còn giữ liên hệ với chi bộ nơi cư trú từ %s: hãy giới thiệu đảng viên về chi bộ thôn, tổ dân phố nơi cư trú",
					m.FullName, m.ResidenceEndedOn).Message})
			}
			if g, ok := ratingOf(m.Ratings, year); ok {
				switch g {
				case Excellent:
					t.excellent++
				case Good:
					t.good++
				}
			}
		}
		if cell.Counts.DirectOfficial >= 9 && leaders < 2 {
			out = append(out, Violation{Rule: RuleCellCommittee, Subject: cell.ID, Message: RuleCellCommittee.Violation(
				"%q có %d đảng viên chính thức nhưng chưa có chi ủy", cell.Name, cell.Counts.DirectOfficial).Message})
		}
	}
	found, err := s.residenceFindings(ctx, v, residents)
	if err != nil {
		return nil, err
	}
	out = append(out, found...)
	for i := range nodes {
		if t := ratings[nodes[i].ID]; t != nil && t.excellent > 0 && 5*t.excellent > t.good {
			out = append(out, Violation{Rule: RuleExcellentQuota, Subject: nodes[i].ID, Message: RuleExcellentQuota.Violation(
				"%q năm %d có %d đảng viên hoàn thành xuất sắc nhiệm vụ, vượt 20%% của %d hoàn thành tốt nhiệm vụ",
				nodes[i].Name, year, t.excellent, t.good).Message})
		}
	}
	return out, nil
}

// residenceFindings checks R6 for members' residence links: each must point
// to a village or residential-group cell other than the member's own.
func (s *Service) residenceFindings(ctx context.Context, v View, members []Member) ([]Violation, error) {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ResidenceCellID
	}
	cells, err := s.Orgs(ctx, v, ids) // scoped: a finding names only what the caller sees
	if err != nil {
		return nil, err
	}
	var out []Violation
	for i, m := range members {
		cell := cells[i]
		if cell.ID == "" {
			continue // outside what the caller reads
		}
		if err := CheckResidence(&cell, m.CellID); err != nil {
			out = append(out, Violation{Rule: RuleMembership, Subject: m.ID, Via: cell.ID, Message: m.FullName + ": " + ErrorMessage(err)})
		}
	}
	return out, nil
}
