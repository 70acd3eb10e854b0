package org

import (
	"context"
	"math"
)

// ScenarioDiff compares a scenario's subtree as it is with as it would be
// once the scenario is applied.
type ScenarioDiff struct {
	AsIs, ToBe Counts // of the whole subtree, its root included
	Figures    []Figure
	Nodes      []NodeChange
	// Added are the findings the scenario brings, its operations' included;
	// Resolved those of the structure it ends.
	Added, Resolved []Violation
}

// Figure is one statistic of a subtree before and after.
type Figure struct {
	Name       string
	AsIs, ToBe float64
}

// Net is the figure's change, ToBe less AsIs: figures are whole or rounded
// to hundredths, and so is their difference.
func (f Figure) Net() float64 { return math.Round((f.ToBe-f.AsIs)*100) / 100 }

// NodeChangeKind is one way an organisation differs after a scenario.
type NodeChangeKind uint8

const (
	NodeNew NodeChangeKind = iota
	NodeEnded
	NodeMoved
	NodeRenamed
	NodeKindChanged
	NodeMembersChanged // its own members, or its subtree's (a commune another merged into)
)

var nodeChangeKinds = enumNames[NodeChangeKind]{"loại thay đổi", []string{"NEW", "ENDED", "MOVED", "RENAMED", "KIND_CHANGED", "MEMBERS_CHANGED"}}

func (k NodeChangeKind) String() string { return nodeChangeKinds.String(k) }

// NodeChange is how one organisation differs; Before is nil for a new one
// and After for one that ends.
type NodeChange struct {
	ID            string
	Kinds         []NodeChangeKind
	Before, After *Org
	MemberDelta   int32 // members of its subtree, after less before
}

// ScenarioDiff compares scenario id's subtree before and after it.
func (s *Service) ScenarioDiff(ctx context.Context, id string) (ScenarioDiff, error) {
	_, _, ev, err := s.whatIf(ctx, id)
	if err != nil {
		return ScenarioDiff{}, err
	}
	d, err := diffOf(ctx, ev, s.store)
	if err != nil {
		return d, err
	}
	// What a board reads: every rule, the members' included (a resident
	// left without a link), as Scenario.violations lists them.
	d.Added, _, d.Resolved, err = s.scenarioFindings(ctx, id, SeverityInfo)
	return d, err
}

// chartReader reads charts of the live structure: the store, or the
// transaction a scenario is applied in.
type chartReader interface {
	ChartNodes(ctx context.Context, v View, q ChartQuery, limit int) ([]ChartNode, error)
}

// diffOf compares the live structure, read through live, with a scenario
// replayed over it.
func diffOf(ctx context.Context, ev *evaluation, live chartReader) (ScenarioDiff, error) {
	w := ev.w
	asIs, err := live.ChartNodes(ctx, View{At: w.at}, ChartQuery{RootID: ev.scenario.Within, Depth: -1}, math.MaxInt)
	if err != nil {
		return ScenarioDiff{}, err
	}
	var toBe []ChartNode
	for _, root := range w.tree.Roots() {
		nodes, err := w.tree.ChartNodes(ChartQuery{RootID: root.ID, Depth: -1}, math.MaxInt)
		if err != nil {
			return ScenarioDiff{}, err
		}
		toBe = append(toBe, nodes...)
	}
	var parent *Org
	if pid := asIs[0].ParentID; pid != "" {
		p, err := live.ChartNodes(ctx, View{At: w.at}, ChartQuery{RootID: pid, Depth: 0}, 1)
		if err != nil {
			return ScenarioDiff{}, err
		}
		parent = &p[0].Org
	}
	before, after := shapeOf(asIs), shapeOf(toBe)
	d := ScenarioDiff{AsIs: before.counts, ToBe: after.counts, Figures: figures(&before, &after), Nodes: nodeChanges(asIs, toBe)}
	d.Added, d.Resolved = compareViolations(CheckNodes(asIs, parent), w.resultFindings(CheckNodes(toBe, parent), w.findings))
	return d, nil
}

// shape is what the figures of a subtree are computed from.
type shape struct {
	counts         Counts
	orgs, levels   int
	committees     int // organisations that have sub-organisations under them
	children, most int
	thinCells      int // cells below R1's three official members
}

func shapeOf(nodes []ChartNode) shape {
	var sh shape
	for i := range nodes {
		n := &nodes[i]
		sh.orgs++
		sh.levels = max(sh.levels, n.Depth+1)
		if n.ChartParentID == "" {
			c := n.Counts
			c.ByKind[n.Kind]++
			if n.Kind == Cell {
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

func sumCounts(a, b Counts) Counts {
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
func figures(before, after *shape) []Figure {
	var out []Figure
	add := func(name string, of func(*shape) float64) {
		out = append(out, Figure{Name: name, AsIs: of(before), ToBe: of(after)})
	}
	add("organisations", func(s *shape) float64 { return float64(s.orgs) })
	for k := range NumKinds {
		add("kind."+Kind(k).String(), func(s *shape) float64 { return float64(s.counts.ByKind[k]) })
	}
	add("members", func(s *shape) float64 { return float64(s.counts.Members()) })
	add("official", func(s *shape) float64 { return float64(s.counts.Official) })
	add("probationary", func(s *shape) float64 { return float64(s.counts.Probationary) })
	for k := range NumSectors {
		add("cellsBySector."+Sector(k).String(), func(s *shape) float64 { return float64(s.counts.CellsBySector[k]) })
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
func nodeChanges(before, after []ChartNode) []NodeChange {
	was := make(map[string]*Org, len(before))
	for i := range before {
		was[before[i].ID] = &before[i].Org
	}
	is := make(map[string]bool, len(after))
	var out []NodeChange
	for i := range after {
		a := &after[i].Org
		is[a.ID] = true
		b := was[a.ID]
		c := NodeChange{ID: a.ID, Before: b, After: a, MemberDelta: a.Counts.Members()}
		if b == nil {
			c.Kinds = []NodeChangeKind{NodeNew}
		} else {
			c.MemberDelta -= b.Counts.Members()
			for _, d := range []struct {
				differs bool
				kind    NodeChangeKind
			}{{a.ParentID != b.ParentID, NodeMoved}, {a.Name != b.Name, NodeRenamed}, {a.Kind != b.Kind, NodeKindChanged},
				{a.Counts.DirectOfficial != b.Counts.DirectOfficial || a.Counts.DirectProbationary != b.Counts.DirectProbationary ||
					a.Counts.Members() != b.Counts.Members(), NodeMembersChanged}} {
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
			out = append(out, NodeChange{ID: b.ID, Kinds: []NodeChangeKind{NodeEnded}, Before: b, MemberDelta: -b.Counts.Members()})
		}
	}
	return out
}

// compareViolations splits findings into those only after has (added) and
// those only before has (resolved), a finding being its rule and subject.
func compareViolations(before, after []Violation) (added, resolved []Violation) {
	type key struct{ rule, subject string }
	keys := func(vs []Violation) map[key]bool {
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
// about the same, or the last that wrote what it is about), then those of
// the operations that the structure cannot show (a member's residence link,
// a part or an operation that could not run), each once. An operation's
// shape finding that the result no longer has was a step on the way there
// (a grassroots cell that becomes a committee before its members move into a
// new cell), not a breach.
func (w *whatIf) resultFindings(structural, ops []Violation) []Violation {
	type key struct{ rule, subject string }
	cause := map[key]int{}
	for _, f := range ops {
		k := key{f.Rule.ID, f.Subject}
		if _, ok := cause[k]; !ok {
			cause[k] = f.OperationKey
		}
	}
	out := make([]Violation, 0, len(structural)+len(ops))
	seen := map[key]bool{}
	for _, v := range structural {
		k := key{v.Rule.ID, v.Subject}
		seen[k] = true
		if op, ok := cause[k]; ok && v.OperationKey == 0 {
			v.OperationKey = op
		} else if op, ok := w.writtenBy[v.Subject]; ok && v.OperationKey == 0 {
			v.OperationKey = op
		}
		out = append(out, v)
	}
	for _, f := range ops {
		k := key{f.Rule.ID, f.Subject}
		if seen[k] || f.interim && f.Rule.ID == RuleShape.ID {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// ScenarioViolations splits the findings of a scenario's result, of severity
// at most least, into those it brings and those the live structure already
// has on its base date, so that a board reads first what it would cause.
func (s *Service) ScenarioViolations(ctx context.Context, id string, least Severity) (added, existing []Violation, err error) {
	added, existing, _, err = s.scenarioFindings(ctx, id, least)
	return added, existing, err
}

// scenarioFindings compares every rule's findings (the members' too) of a
// scenario's result with the live structure's on its base date: those the
// scenario adds, those it keeps, and those it resolves.
func (s *Service) scenarioFindings(ctx context.Context, id string, least Severity) (added, kept, resolved []Violation, err error) {
	sc, err := s.Scenario(ctx, id)
	if err != nil || sc.Status != ScenarioOpen {
		return nil, nil, nil, err
	}
	result, err := s.Violations(ctx, View{Scenario: id}, sc.Within, true, least)
	if err != nil {
		return nil, nil, nil, err
	}
	live, err := s.Violations(ctx, View{At: sc.BaseAsOf}, sc.Within, true, least)
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
