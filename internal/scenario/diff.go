package scenario

import (
	"context"
	"math"
	"slices"

	"dangbo/internal/org"
)

// Diff compares scenario id's subtree before and after it.
func (s *Service) Diff(ctx context.Context, id string) (org.ScenarioDiff, error) {
	ev, err := s.evaluatedOpen(ctx, id)
	if err != nil {
		return org.ScenarioDiff{}, err
	}
	d, err := diffOf(ctx, ev, s.store)
	if err != nil {
		return d, err
	}
	// What a board reads: every rule, the members' included (a resident
	// left without a link), as Scenario.violations lists them.
	d.Added, _, d.Resolved, err = s.scenarioFindings(ctx, id, org.SeverityInfo)
	return d, err
}

// Violations is the domain's Violations in scenario id's view, for the
// caller of ctx confined to its subtree, the findings of its operations
// included (org.Scenarios).
func (s *Service) Violations(ctx context.Context, id, within string, subtree bool, least org.Severity) ([]org.Violation, error) {
	ev, err := s.evaluatedOpen(ctx, id)
	if err != nil {
		return nil, err
	}
	w := ev.w
	if p, ok := org.PrincipalFrom(ctx); ok {
		ctx = org.WithPrincipal(ctx, p.ConfinedTo(w.roots))
	}
	found, err := s.svc.Simulating(w, w.at, nil, nil).Violations(ctx, org.View{At: w.at}, within, subtree, least)
	if err != nil {
		return nil, err
	}
	var ops []org.Violation
	for _, f := range w.findings {
		in := w.tree.Within(f.Subject, within) && (subtree || f.Subject == within)
		if !w.tree.Has(f.Subject) {
			in = slices.Contains(w.roots, within) // a member's finding shows at the top
		}
		if in && f.Rule.Severity <= least {
			ops = append(ops, f)
		}
	}
	return w.resultFindings(found, ops), nil
}

// chartReader reads charts of the live structure: the store, or the
// transaction a scenario is applied in.
type chartReader interface {
	ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error)
}

// diffOf compares the live structure, read through live, with a scenario
// replayed over it.
func diffOf(ctx context.Context, ev *evaluation, live chartReader) (org.ScenarioDiff, error) {
	w := ev.w
	asIs, err := live.ChartNodes(ctx, org.View{At: w.at}, org.ChartQuery{RootID: ev.scenario.Within, Depth: -1}, math.MaxInt)
	if err != nil {
		return org.ScenarioDiff{}, err
	}
	var toBe []org.ChartNode
	for _, root := range w.tree.Roots() {
		nodes, err := w.tree.ChartNodes(org.ChartQuery{RootID: root.ID, Depth: -1}, math.MaxInt)
		if err != nil {
			return org.ScenarioDiff{}, err
		}
		toBe = append(toBe, nodes...)
	}
	var parent *org.Org
	if pid := asIs[0].ParentID; pid != "" {
		p, err := live.ChartNodes(ctx, org.View{At: w.at}, org.ChartQuery{RootID: pid, Depth: 0}, 1)
		if err != nil {
			return org.ScenarioDiff{}, err
		}
		parent = &p[0].Org
	}
	before, after := shapeOf(asIs), shapeOf(toBe)
	d := org.ScenarioDiff{AsIs: before.counts, ToBe: after.counts, Figures: figures(&before, &after), Nodes: nodeChanges(asIs, toBe)}
	d.Added, d.Resolved = compareViolations(org.CheckNodes(asIs, parent), w.resultFindings(org.CheckNodes(toBe, parent), w.findings))
	return d, nil
}

// shape is what the figures of a subtree are computed from.
type shape struct {
	counts         org.Counts
	orgs, levels   int
	committees     int // organisations that have sub-organisations under them
	children, most int
	thinCells      int // cells below R1's three official members
}

func shapeOf(nodes []org.ChartNode) shape {
	var sh shape
	for i := range nodes {
		n := &nodes[i]
		sh.orgs++
		sh.levels = max(sh.levels, n.Depth+1)
		if n.ChartParentID == "" {
			c := n.Counts
			c.ByKind[n.Kind]++
			if n.Kind == org.Cell {
				c.CellsBySector[n.Sector]++
			}
			sh.counts = sumCounts(sh.counts, c)
		}
		if n.Counts.Children > 0 {
			sh.committees++
			sh.children += int(n.Counts.Children)
			sh.most = max(sh.most, int(n.Counts.Children))
		}
		if n.Kind.IsCell() && n.Counts.Official < 3 {
			sh.thinCells++
		}
	}
	return sh
}

func sumCounts(a, b org.Counts) org.Counts {
	a.Children += b.Children
	a.DirectOfficial += b.DirectOfficial
	a.DirectProbationary += b.DirectProbationary
	a.Official += b.Official
	a.Probationary += b.Probationary
	for k := range a.ByKind {
		a.ByKind[k] += b.ByKind[k]
	}
	for k := range a.CellsBySector {
		a.CellsBySector[k] += b.CellsBySector[k]
	}
	return a
}

// figures lists every statistic of the subtree before and after.
func figures(before, after *shape) []org.Figure {
	var out []org.Figure
	add := func(name string, of func(*shape) float64) {
		out = append(out, org.Figure{Name: name, AsIs: of(before), ToBe: of(after)})
	}
	add("organisations", func(s *shape) float64 { return float64(s.orgs) })
	for k := range org.NumKinds {
		add("kind."+org.Kind(k).String(), func(s *shape) float64 { return float64(s.counts.ByKind[k]) })
	}
	add("members", func(s *shape) float64 { return float64(s.counts.Members()) })
	add("official", func(s *shape) float64 { return float64(s.counts.Official) })
	add("probationary", func(s *shape) float64 { return float64(s.counts.Probationary) })
	for k := range org.NumSectors {
		add("cellsBySector."+org.Sector(k).String(), func(s *shape) float64 { return float64(s.counts.CellsBySector[k]) })
	}
	add("levels", func(s *shape) float64 { return float64(s.levels) })
	add("childrenPerCommittee.mean", func(s *shape) float64 {
		if s.committees == 0 {
			return 0
		}
		return math.Round(float64(s.children)/float64(s.committees)*100) / 100
	})
	add("childrenPerCommittee.max", func(s *shape) float64 { return float64(s.most) })
	add("cellsBelowThreeOfficial", func(s *shape) float64 { return float64(s.thinCells) })
	return out
}

// nodeChanges lists the organisations that differ, those of after in its
// order, then those that ended in before's.
func nodeChanges(before, after []org.ChartNode) []org.NodeChange {
	was := make(map[string]*org.Org, len(before))
	for i := range before {
		was[before[i].ID] = &before[i].Org
	}
	is := make(map[string]bool, len(after))
	var out []org.NodeChange
	for i := range after {
		a := &after[i].Org
		is[a.ID] = true
		b := was[a.ID]
		c := org.NodeChange{ID: a.ID, Before: b, After: a, MemberDelta: a.Counts.Members()}
		if b == nil {
			c.Kinds = []org.NodeChangeKind{org.NodeNew}
		} else {
			c.MemberDelta -= b.Counts.Members()
			for _, d := range []struct {
				differs bool
				kind    org.NodeChangeKind
			}{{a.ParentID != b.ParentID, org.NodeMoved}, {a.Name != b.Name, org.NodeRenamed}, {a.Kind != b.Kind, org.NodeKindChanged},
				{a.Counts.DirectOfficial != b.Counts.DirectOfficial || a.Counts.DirectProbationary != b.Counts.DirectProbationary ||
					a.Counts.Members() != b.Counts.Members(), org.NodeMembersChanged}} {
				if d.differs {
					c.Kinds = append(c.Kinds, d.kind)
				}
			}
		}
		if len(c.Kinds) > 0 {
			out = append(out, c)
		}
	}
	for i := range before {
		if b := &before[i].Org; !is[b.ID] {
			out = append(out, org.NodeChange{ID: b.ID, Kinds: []org.NodeChangeKind{org.NodeEnded}, Before: b, MemberDelta: -b.Counts.Members()})
		}
	}
	return out
}

// compareViolations splits findings into those only after has (added) and
// those only before has (resolved), a finding being its rule and subject.
func compareViolations(before, after []org.Violation) (added, resolved []org.Violation) {
	type key struct{ rule, subject string }
	keys := func(vs []org.Violation) map[key]bool {
		m := make(map[key]bool, len(vs))
		for _, v := range vs {
			m[key{v.Rule.ID, v.Subject}] = true
		}
		return m
	}
	had, has := keys(before), keys(after)
	for _, v := range after {
		if !had[key{v.Rule.ID, v.Subject}] {
			added = append(added, v)
		}
	}
	for _, v := range before {
		if !has[key{v.Rule.ID, v.Subject}] {
			resolved = append(resolved, v)
		}
	}
	return added, resolved
}

// resultFindings are the findings of a scenario's result: the structure's
// own, each with the operation that caused it when one did (its own finding
// about the same, or the last that wrote what it is about or rests on), then those of
// the operations that the structure cannot show (a member's residence link,
// a part or an operation that could not run), each once. An operation's
// shape finding that the result no longer has was a step on the way there
// (a grassroots cell that becomes a committee before its members move into a
// new cell), not a breach.
func (w *whatIf) resultFindings(structural, ops []org.Violation) []org.Violation {
	type key struct{ rule, subject string }
	cause := map[key]int{}
	for _, f := range ops {
		k := key{f.Rule.ID, f.Subject}
		if _, ok := cause[k]; !ok {
			cause[k] = f.OperationKey
		}
	}
	out := make([]org.Violation, 0, len(structural)+len(ops))
	seen := map[key]bool{}
	for _, v := range structural {
		k := key{v.Rule.ID, v.Subject}
		seen[k] = true
		if op, ok := cause[k]; ok && v.OperationKey == 0 {
			v.OperationKey = op
		} else if op, ok := w.writtenBy[v.Subject]; ok && v.OperationKey == 0 {
			v.OperationKey = op
		} else if op, ok := w.writtenBy[v.Via]; ok && v.OperationKey == 0 {
			v.OperationKey = op
		}
		out = append(out, v)
	}
	for _, f := range ops {
		k := key{f.Rule.ID, f.Subject}
		if seen[k] || f.Interim && f.Rule.ID == org.RuleShape.ID {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// Findings splits the findings of a scenario's result, of severity
// at most least, into those it brings and those the live structure already
// has on its base date, so that a board reads first what it would cause.
func (s *Service) Findings(ctx context.Context, id string, least org.Severity) (added, existing []org.Violation, err error) {
	added, existing, _, err = s.scenarioFindings(ctx, id, least)
	return added, existing, err
}

// scenarioFindings compares every rule's findings (the members' too) of a
// scenario's result with the live structure's on its base date: those the
// scenario adds, those it keeps, and those it resolves.
func (s *Service) scenarioFindings(ctx context.Context, id string, least org.Severity) (added, kept, resolved []org.Violation, err error) {
	sc, err := s.svc.Scenario(ctx, id)
	if err != nil || sc.Status != org.ScenarioOpen {
		return nil, nil, nil, err
	}
	result, err := s.svc.Violations(ctx, org.View{Scenario: id}, sc.Within, true, least)
	if err != nil {
		return nil, nil, nil, err
	}
	live, err := s.svc.Violations(ctx, org.View{At: sc.BaseAsOf}, sc.Within, true, least)
	if err != nil {
		return nil, nil, nil, err
	}
	added, resolved = compareViolations(live, result)
	type key struct{ rule, subject string }
	new := make(map[key]bool, len(added))
	for _, v := range added {
		new[key{v.Rule.ID, v.Subject}] = true
	}
	for _, v := range result {
		if !new[key{v.Rule.ID, v.Subject}] {
			kept = append(kept, v)
		}
	}
	return added, kept, resolved, nil
}
