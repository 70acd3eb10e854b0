package model

import (
	"sync"

	"dangbo/internal/org"
)

// Chart is a chart as of its date, in the scenario it was read in, if any.
// Its node list, its columns and its links are made only when a client
// selects them: a province has tens of thousands of residence links, which a
// client drawing the structure alone never pays for.
type Chart struct {
	At       org.Date
	Scenario string
	nodes    []org.ChartNode
	links    func() ([]org.ResidenceLink, error)
}

// NewChart returns the chart of nodes; links reads the residence links between
// the given cells, once, when first asked.
func NewChart(at org.Date, nodes []org.ChartNode, links func(cells []string) ([]org.ResidenceLink, error)) *Chart {
	return &Chart{At: at, nodes: nodes, links: sync.OnceValues(func() ([]org.ResidenceLink, error) {
		return links(org.CellsOf(nodes))
	})}
}

// Links are the residence links between the chart's cells.
func (c *Chart) Links() ([]org.ResidenceLink, error) { return c.links() }

// ChartNode is an organisation in a chart, answering the same counts as Org.
type ChartNode struct {
	Org
	ChartParentID string
	Depth         int
}

// Nodes are the chart's nodes as objects.
func (c *Chart) Nodes() []*ChartNode {
	nodes := make([]ChartNode, len(c.nodes))
	out := make([]*ChartNode, len(nodes))
	for i := range nodes {
		n := &c.nodes[i]
		nodes[i] = ChartNode{Org: Org{Org: n.Org, View: org.View{At: c.At, Scenario: c.Scenario}}, ChartParentID: n.ChartParentID, Depth: n.Depth}
		out[i] = &nodes[i]
	}
	return out
}

func (c *Chart) Columns() *ChartColumns { return &ChartColumns{nodes: c.nodes} }

// LinkObjects are the chart's links as objects.
func (c *Chart) LinkObjects() ([]*org.ResidenceLink, error) {
	links, err := c.links()
	out := make([]*org.ResidenceLink, len(links))
	for i := range out {
		out[i] = &links[i]
	}
	return out, err
}

// LinkColumns are the chart's links as columns.
func (c *Chart) LinkColumns() (*ChartLinkColumns, error) {
	links, err := c.links()
	return &ChartLinkColumns{links: links}, err
}

// ChartParent is the node's parent in the chart, nil for its root.
func (n *ChartNode) ChartParent() *string { return optionalID(n.ChartParentID) }

func optionalID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

// ChartColumns makes each column of a chart's nodes when it is selected.
type ChartColumns struct{ nodes []org.ChartNode }

// column maps every item to one value.
func column[E, T any](items []E, value func(*E) T) []T {
	out := make([]T, len(items))
	for i := range items {
		out[i] = value(&items[i])
	}
	return out
}

func (c *ChartColumns) Size() int { return len(c.nodes) }
func (c *ChartColumns) Ids() []string {
	return column(c.nodes, func(n *org.ChartNode) string { return n.ID })
}
func (c *ChartColumns) ParentIds() []*string {
	return column(c.nodes, func(n *org.ChartNode) *string { return optionalID(n.ChartParentID) })
}
func (c *ChartColumns) Names() []string {
	return column(c.nodes, func(n *org.ChartNode) string { return n.Name })
}
func (c *ChartColumns) Kinds() []string {
	return column(c.nodes, func(n *org.ChartNode) string { return n.Kind.String() })
}
func (c *ChartColumns) Sectors() []string {
	return column(c.nodes, func(n *org.ChartNode) string { return n.Sector.String() })
}
func (c *ChartColumns) Depths() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return n.Depth })
}
func (c *ChartColumns) ChildCounts() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return int(n.Counts.Children) })
}
func (c *ChartColumns) DirectMemberCounts() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return int(n.Counts.DirectMembers()) })
}
func (c *ChartColumns) MemberCounts() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return int(n.Counts.Members()) })
}
func (c *ChartColumns) OfficialCounts() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return int(n.Counts.Official) })
}
func (c *ChartColumns) ProbationaryCounts() []int {
	return column(c.nodes, func(n *org.ChartNode) int { return int(n.Counts.Probationary) })
}

// ChartLinkColumns makes each column of a chart's links when it is selected.
type ChartLinkColumns struct{ links []org.ResidenceLink }

func (c *ChartLinkColumns) Size() int { return len(c.links) }
func (c *ChartLinkColumns) From() []string {
	return column(c.links, func(l *org.ResidenceLink) string { return l.From })
}
func (c *ChartLinkColumns) To() []string {
	return column(c.links, func(l *org.ResidenceLink) string { return l.To })
}
func (c *ChartLinkColumns) MemberCounts() []int {
	return column(c.links, func(l *org.ResidenceLink) int { return l.Members })
}
