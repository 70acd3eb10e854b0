package org

import (
	"context"
	"slices"
)

// Villages and cells as the party's reports count them (the figures Kon Tum
// published for 2016–2021): the villages whose head (trưởng thôn) is a member, and the
// cells that held thematic meetings (sinh hoạt chuyên đề) in a year.

// YearCount is how many of something a year had.
type YearCount struct {
	Year  int `json:"year"`
	Count int `json:"count"`
	// On is the effective date of the decision that recorded it (yearly.go).
	On Date `json:"on,omitempty"`
}

// holds reports whether m holds role in organisation orgID (m.Roles are
// those held on m's date).
func (m *Member) holds(role Role, orgID string) bool {
	return slices.ContainsFunc(m.Roles, func(t RoleTerm) bool { return t.Role == role && t.OrgID == orgID })
}

// villageHeadOf checks that the member of rec may head the village of cell
// o on date at: o is a village or residential-group cell, and the member
// belongs to it or keeps their residence link with it (they live there).
func villageHeadOf(rec *MemberRecord, o *Org, at Date) error {
	if !o.Kind.IsCell() || !o.Sector.IsResidential() {
		return Errorf(EInvalid, "trưởng thôn, tổ trưởng tổ dân phố chỉ gắn với chi bộ thôn, tổ dân phố; %q không phải", o.Name)
	}
	if rec.CellOn(at) != o.ID && rec.ResidenceOn(at) != o.ID {
		return Errorf(EInvalid, "đảng viên làm trưởng thôn phải sinh hoạt ở chi bộ %q hoặc sinh hoạt nơi cư trú tại đó", o.Name)
	}
	return nil
}

// Village-head breakdown keys, in their order.
var villageHeadKeys, villageHeadLabels = []string{"HEAD_IS_SECRETARY", "HEAD_IS_OTHER_MEMBER", "HEAD_NOT_A_MEMBER"},
	[]string{"Bí thư chi bộ đồng thời là trưởng thôn, tổ trưởng tổ dân phố", "Đảng viên khác là trưởng thôn, tổ trưởng tổ dân phố",
		"Trưởng thôn, tổ trưởng tổ dân phố không phải đảng viên (hoặc chưa ghi nhận)"}

// villageHeadRows counts the village and residential-group cells among
// nodes (as cellsBySector counts them) by who heads the village, as heads
// (VillageHeads) says of each village a member heads.
func villageHeadRows(nodes []ChartNode, heads map[string]bool) []BreakdownRow {
	counts, all := make([]int, 3), 0
	for i := range nodes {
		if n := &nodes[i]; n.Kind != Cell || !n.Sector.IsResidential() {
			continue
		}
		all++
		secretary, ok := heads[nodes[i].ID]
		switch {
		case !ok:
			counts[2]++
		case secretary:
			counts[0]++
		default:
			counts[1]++
		}
	}
	return shareRows(villageHeadKeys, villageHeadLabels, counts, all)
}

// meetingRows counts the cells (chi bộ trực thuộc, as cellCount counts them)
// among nodes by whether they held thematic meetings in year.
func meetingRows(nodes []ChartNode, year int) []BreakdownRow {
	counts, all := make([]int, 2), 0
	for i := range nodes {
		if nodes[i].Kind != Cell {
			continue
		}
		all++
		if meetingsIn(nodes[i].Meetings, year) > 0 {
			counts[0]++
		} else {
			counts[1]++
		}
	}
	return shareRows([]string{"HELD", "NOT_HELD"},
		[]string{"Có sinh hoạt chuyên đề", "Chưa sinh hoạt chuyên đề"}, counts, all)
}

// meetingsIn is the count recorded for year in ms, 0 if none.
func meetingsIn(ms []YearCount, year int) int {
	if i := slices.IndexFunc(ms, func(m YearCount) bool { return m.Year == year }); i >= 0 {
		return ms[i].Count
	}
	return 0
}

// RecordMeetings records how many thematic meetings (sinh hoạt chuyên đề)
// cell cellID held in year, in force from the effective date as a rating
// is; the cell's superior decides, as for a rating.
func (s *Service) RecordMeetings(ctx context.Context, cellID string, year, count int, meta Meta) (Change, error) {
	return s.operate(ctx, ChangeMeetingsRecorded, []string{cellID}, meta, func(at Date) error {
		if year < 1930 || year > at.Year() || count < 0 || count > 366 {
			return Errorf(EInvalid, "năm %d hoặc số buổi sinh hoạt chuyên đề %d không hợp lệ", year, count)
		}
		return s.structural(ctx, at, cellID)
	}, func(op *operation) error {
		rec, o, err := op.decidedAbove(cellID)
		if err != nil {
			return err
		}
		if !o.Kind.IsCell() {
			return Errorf(EInvalid, "chỉ chi bộ mới ghi nhận sinh hoạt chuyên đề; %q không phải chi bộ", o.Name)
		}
		rec.Meetings = decide(rec.Meetings, YearCount{Year: year, Count: count, On: op.at})
		return op.putOrg(rec)
	})
}
