package org

import (
	"context"
	"slices"
)

// Export names one kind of export for the audit log.
type Export uint8

const (
	ExportMembers      Export = iota // a subtree's member list
	ExportStatistics                 // a subtree's counts and breakdowns
	ExportScenarioDiff               // a scenario's diff, for a board meeting
)

var exportActions = [...]string{"exportMembers", "exportStatistics", "exportScenarioDiff"}

// ExportRefused records an export whose request was refused before it ran
// (a malformed filter or date): exports are audited whether they ran or not.
func (s *Service) ExportRefused(ctx context.Context, x Export, target string, err error) {
	s.auditFailure(ctx, entry(ctx, exportActions[x], target), err)
}

// exported records export x of target as done when err is nil, refused otherwise.
func (s *Service) exported(ctx context.Context, x Export, target string, err error) error {
	e := entry(ctx, exportActions[x], target)
	if err != nil {
		s.auditFailure(ctx, e, err)
		return err
	}
	return s.store.Audit(ctx, e)
}

// exportBatch is how many members an export reads through the scope at a
// time: what it holds of them, whatever the subtree's size.
const exportBatch = 512

// ExportMembers calls emit with every member SubtreeMembers lists for q (its
// page ignored), in q.Order, a batch at a time, as the caller sees them, with
// the names of the organisations they name (cells, residence cells, roles)
// that the caller sees. The export is audited once the list is selected,
// before the first batch; the batch is emit's only until it returns.
func (s *Service) ExportMembers(ctx context.Context, v View, id string, q MemberQuery, emit func(ms []Member, names map[string]string) error) error {
	r, v, err := s.reader(ctx, v)
	top := topPage{n: -1}
	if err == nil {
		err = r.selectMembers(ctx, v, id, &q, &top)
	}
	if err := s.exported(ctx, ExportMembers, id, err); err != nil {
		return err
	}
	slices.SortFunc(top.best, func(a, b keyed) int { return a.compare(&b) })
	return r.emitMembers(ctx, v, top.best, emit)
}

func (r *scoped) emitMembers(ctx context.Context, v View, ks []keyed, emit func([]Member, map[string]string) error) error {
	names := map[string]string{}
	for batch := range slices.Chunk(ks, exportBatch) {
		ms, err := r.keptMembers(ctx, v, batch)
		if err != nil {
			return err
		}
		var missing []string
		for _, m := range ms {
			for _, id := range append([]string{m.CellID, m.ResidenceCellID}, termOrgs(m.Roles)...) {
				if _, ok := names[id]; !ok && id != "" {
					names[id] = ""
					missing = append(missing, id)
				}
			}
		}
		if len(missing) > 0 {
			orgs, err := r.Orgs(ctx, v, missing)
			if err != nil {
				return err
			}
			for i, o := range orgs {
				names[missing[i]] = o.Name
			}
		}
		if err := emit(ms, names); err != nil {
			return err
		}
	}
	return nil
}

func termOrgs(ts []RoleTerm) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.OrgID
	}
	return ids
}

// StatisticsReport is what a statistics export holds: the subtree's counts
// and each breakdown the caller may read.
type StatisticsReport struct {
	Org        Org
	Year       int // the rating year of the rating breakdowns
	Breakdowns []BreakdownSection
}

// BreakdownSection is one breakdown of a report.
type BreakdownSection struct {
	By   BreakdownBy
	Rows []BreakdownRow
}

// ExportStatistics reports the counts of organisation id's subtree and
// every breakdown of it, with ratings of year (0: the year before the date);
// the breakdowns on personal data only for a role that reads it. Audited.
func (s *Service) ExportStatistics(ctx context.Context, v View, id string, year int) (StatisticsReport, error) {
	rep, err := read(ctx, s, v, func(r *scoped, v View) (StatisticsReport, error) {
		o, err := r.Org(ctx, v, id)
		if err != nil {
			return StatisticsReport{}, err
		}
		if year == 0 {
			year = v.At.Year() - 1
		}
		rep := StatisticsReport{Org: o, Year: year}
		for by := BreakdownStatus; by <= BreakdownMeetings; by++ {
			if by.personal() && !r.p.Can(ReadPersonal) {
				continue
			}
			rows, err := r.Breakdown(ctx, v, id, by, year)
			if err != nil {
				return StatisticsReport{}, err
			}
			rep.Breakdowns = append(rep.Breakdowns, BreakdownSection{by, rows})
		}
		return rep, nil
	})
	return rep, s.exported(ctx, ExportStatistics, id, err)
}

// ExportScenarioDiff is the diff of scenario id (Scenarios.Diff), audited as an export.
func (s *Service) ExportScenarioDiff(ctx context.Context, id string) (ScenarioDiff, error) {
	sc, err := s.evaluator(id)
	if err != nil {
		return ScenarioDiff{}, err
	}
	d, err := sc.Diff(ctx, id)
	return d, s.exported(ctx, ExportScenarioDiff, id, err)
}
