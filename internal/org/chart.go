package org

import (
	"context"
)

// DefaultChartLimit is the most nodes a chart holds unless the service is
// configured otherwise: a whole province of the demo (about 5,800) fits, a
// country does not, and a client that needs more loads it lazily.
const DefaultChartLimit = 10_000

// ChartQuery asks for the chart of a subtree.
type ChartQuery struct {
	RootID string
	// Depth is how many levels below the root the chart reaches; negative for
	// the whole subtree.
	Depth int
	// Kinds, when not empty, are the only kinds of organisation shown (the root
	// always is); an organisation whose parent is not shown hangs from its
	// nearest shown ancestor.
	Kinds []Kind
}

// ChartNode is one organisation in a chart.
type ChartNode struct {
	Org
	// ChartParentID is the node's parent in the chart: its parent in the
	// structure, or the nearest ancestor shown when Kinds left that out;
	// empty for the chart's root.
	ChartParentID string
	// Depth is the number of levels between the chart's root and the node in
	// the structure.
	Depth int
}

// LinkType is what a chart link between two cells stands for.
type LinkType uint8

// Residence is the only link type so far: working members' ties to the cell
// where they live.
const ResidenceLinkType LinkType = 0

// ResidenceLink counts the members whose cell is From and who keep a
// residence link with the cell To (dual membership, Quy định 213-QĐ/TW).
type ResidenceLink struct {
	From, To string
	Members  int
}

// Type is the kind of tie the link stands for.
func (ResidenceLink) Type() LinkType { return ResidenceLinkType }

// ErrChartTooLarge is the BAD_USER_INPUT of a chart of more than limit nodes.
func ErrChartTooLarge(limit int) error {
	return Errorf(EInvalid, "sơ đồ vượt quá %d tổ chức: hãy giảm depth, lọc theo kinds, hoặc tải dần từng cấp bằng Org.children", limit)
}

// CellsOf are the ids of the chart nodes that hold members: the ends of its
// residence links.
func CellsOf(nodes []ChartNode) []string {
	var cells []string
	for i := range nodes {
		if nodes[i].Kind.HoldsMembers() {
			cells = append(cells, nodes[i].ID)
		}
	}
	return cells
}

// ChartNodes lists the chart of a subtree whose root the caller may see; every
// organisation below it is then in their scope too.
func (r *scoped) ChartNodes(ctx context.Context, v View, q ChartQuery, limit int) ([]ChartNode, error) {
	if err := r.seeOrg(ctx, v, q.RootID); err != nil {
		return nil, err
	}
	nodes, err := r.store.ChartNodes(ctx, v, q, limit)
	return nodes, notFoundAs(err, "tổ chức", q.RootID)
}

// ResidenceLinks counts the residence links between those of cells the
// caller may see.
func (r *scoped) ResidenceLinks(ctx context.Context, v View, cells []string) ([]ResidenceLink, error) {
	ok, err := r.visible(ctx, v, cells)
	if err != nil {
		return nil, err
	}
	seen := make([]string, 0, len(cells))
	for i, id := range cells {
		if ok[i] {
			seen = append(seen, id)
		}
	}
	return r.store.ResidenceLinks(ctx, v, seen)
}

// exportChartAction names chart exports in the audit log.
const exportChartAction = "exportOrgChart"

// ExportChart is ChartNodes for a download, recorded in the audit log as
// every export is.
func (s *Service) ExportChart(ctx context.Context, v View, q ChartQuery) ([]ChartNode, error) {
	e := entry(ctx, exportChartAction, q.RootID)
	nodes, err := s.ChartNodes(ctx, v, q, s.chartLimit)
	if err != nil {
		s.auditFailure(ctx, e, err)
		return nil, err
	}
	return nodes, s.store.Audit(ctx, e)
}

// ExportChartRefused records a chart export whose request was refused
// before it reached ExportChart (a malformed depth, date or kind): exports
// are audited whether they ran or not.
func (s *Service) ExportChartRefused(ctx context.Context, rootID string, err error) {
	s.auditFailure(ctx, entry(ctx, exportChartAction, rootID), err)
}

// ChartLimit is the most nodes a chart may hold.
func (s *Service) ChartLimit() int { return s.chartLimit }
