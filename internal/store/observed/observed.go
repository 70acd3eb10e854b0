// Package observed wraps an org.Store so that each of its calls is seen by
// observers: timed for the metrics, a span for the traces. The stores stay
// unaware of either.
package observed

import (
	"context"
	"time"

	"dangbo/internal/org"
)

// Observer learns of each store call: Observe is called as it starts, with
// the method's name ("Children", "Update" …), and the function it returns as
// it ends, with its error. The context it returns is the call's (a span's).
type Observer interface {
	Observe(ctx context.Context, method string) (context.Context, func(error))
}

// Observers is several observers as one, called in order.
type Observers []Observer

func (os Observers) Observe(ctx context.Context, method string) (context.Context, func(error)) {
	ends := make([]func(error), len(os))
	for i, o := range os {
		ctx, ends[i] = o.Observe(ctx, method)
	}
	return ctx, func(err error) {
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](err)
		}
	}
}

// Wrap returns s with every call observed by obs; s itself when there is no
// observer, or when s is no org.Feed (both stores are). What s offers beyond
// org.Store (org.Feed, org.MemberTallier, org.MemberScanner), the result
// offers too, observed: the domain takes its fast paths, and follows the
// history, by asking the store for them; and its org.WriteHealth, unobserved.
func Wrap(s org.Store, obs ...Observer) org.Store {
	feed, isFeed := s.(org.Feed)
	if len(obs) == 0 || !isFeed {
		return s
	}
	w := &store{Store: s, feed: feed, obs: Observers(obs)}
	tallier, isTallier := s.(org.MemberTallier)
	scanner, isScanner := s.(org.MemberScanner)
	switch {
	case isTallier && isScanner:
		return struct {
			*store
			tallies
			scans
		}{w, tallies{w, tallier}, scans{w, scanner}}
	case isTallier:
		return struct {
			*store
			tallies
		}{w, tallies{w, tallier}}
	case isScanner:
		return struct {
			*store
			scans
		}{w, scans{w, scanner}}
	}
	return w
}

// observe runs fn as the observed call method.
func observe[T any](ctx context.Context, obs Observer, method string, fn func(context.Context) (T, error)) (T, error) {
	ctx, end := obs.Observe(ctx, method)
	v, err := fn(ctx)
	end(err)
	return v, err
}

// observe0 is observe for a method that returns only an error.
func observe0(ctx context.Context, obs Observer, method string, fn func(context.Context) error) error {
	ctx, end := obs.Observe(ctx, method)
	err := fn(ctx)
	end(err)
	return err
}

type store struct {
	org.Store
	feed org.Feed
	obs  Observers
}

// WriteFailure passes on the store's org.WriteHealth, unobserved (it reads a
// flag); a store without one has no such failure to tell.
func (s *store) WriteFailure() (time.Time, error) {
	if wh, ok := s.Store.(org.WriteHealth); ok {
		return wh.WriteFailure()
	}
	return time.Time{}, nil
}

func (s *store) LastSeq(ctx context.Context) (int64, error) {
	return observe(ctx, s.obs, "LastSeq", s.feed.LastSeq)
}

func (s *store) ChangesAfter(ctx context.Context, after int64, limit int) ([]org.Change, error) {
	return observe(ctx, s.obs, "ChangesAfter", func(ctx context.Context) ([]org.Change, error) {
		return s.feed.ChangesAfter(ctx, after, limit)
	})
}

// Commits is a signal, not a call: it is not observed.
func (s *store) Commits() <-chan struct{} { return s.feed.Commits() }

func (s *store) Roots(ctx context.Context, v org.View) ([]org.Org, error) {
	return observe(ctx, s.obs, "Roots", func(ctx context.Context) ([]org.Org, error) { return s.Store.Roots(ctx, v) })
}

func (s *store) Org(ctx context.Context, v org.View, id string) (org.Org, error) {
	return observe(ctx, s.obs, "Org", func(ctx context.Context) (org.Org, error) { return s.Store.Org(ctx, v, id) })
}

func (s *store) Orgs(ctx context.Context, v org.View, ids []string) ([]org.Org, error) {
	return observe(ctx, s.obs, "Orgs", func(ctx context.Context) ([]org.Org, error) { return s.Store.Orgs(ctx, v, ids) })
}

func (s *store) Children(ctx context.Context, v org.View, id string, q org.PageQuery, kinds []org.Kind) (org.OrgPage, error) {
	return observe(ctx, s.obs, "Children", func(ctx context.Context) (org.OrgPage, error) {
		return s.Store.Children(ctx, v, id, q, kinds)
	})
}

func (s *store) Path(ctx context.Context, v org.View, id string) ([]org.Org, error) {
	return observe(ctx, s.obs, "Path", func(ctx context.Context) ([]org.Org, error) { return s.Store.Path(ctx, v, id) })
}

func (s *store) Member(ctx context.Context, v org.View, id string) (org.Member, error) {
	return observe(ctx, s.obs, "Member", func(ctx context.Context) (org.Member, error) { return s.Store.Member(ctx, v, id) })
}

func (s *store) Members(ctx context.Context, v org.View, ids []string) ([]org.Member, error) {
	return observe(ctx, s.obs, "Members", func(ctx context.Context) ([]org.Member, error) { return s.Store.Members(ctx, v, ids) })
}

func (s *store) CellMembers(ctx context.Context, v org.View, orgID string, q org.PageQuery) (org.MemberPage, error) {
	return observe(ctx, s.obs, "CellMembers", func(ctx context.Context) (org.MemberPage, error) {
		return s.Store.CellMembers(ctx, v, orgID, q)
	})
}

func (s *store) Residents(ctx context.Context, v org.View, cellID string, q org.PageQuery) (org.MemberPage, error) {
	return observe(ctx, s.obs, "Residents", func(ctx context.Context) (org.MemberPage, error) {
		return s.Store.Residents(ctx, v, cellID, q)
	})
}

func (s *store) Search(ctx context.Context, v org.View, q org.SearchQuery) ([]org.Hit, error) {
	return observe(ctx, s.obs, "Search", func(ctx context.Context) ([]org.Hit, error) { return s.Store.Search(ctx, v, q) })
}

func (s *store) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	return observe(ctx, s.obs, "ChartNodes", func(ctx context.Context) ([]org.ChartNode, error) {
		return s.Store.ChartNodes(ctx, v, q, limit)
	})
}

func (s *store) ResidenceLinks(ctx context.Context, v org.View, cells []string) ([]org.ResidenceLink, error) {
	return observe(ctx, s.obs, "ResidenceLinks", func(ctx context.Context) ([]org.ResidenceLink, error) {
		return s.Store.ResidenceLinks(ctx, v, cells)
	})
}

func (s *store) Changes(ctx context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	return observe(ctx, s.obs, "Changes", func(ctx context.Context) (org.ChangePage, error) { return s.Store.Changes(ctx, q) })
}

func (s *store) ChangeCounts(ctx context.Context, q org.ChangeQuery) (org.ChangeCounts, error) {
	return observe(ctx, s.obs, "ChangeCounts", func(ctx context.Context) (org.ChangeCounts, error) {
		return s.Store.ChangeCounts(ctx, q)
	})
}

func (s *store) CoversOn(ctx context.Context, roots []string, asks []org.DatedID) ([]bool, error) {
	return observe(ctx, s.obs, "CoversOn", func(ctx context.Context) ([]bool, error) { return s.Store.CoversOn(ctx, roots, asks) })
}

func (s *store) Covers(ctx context.Context, v org.View, roots, ids []string) ([]bool, error) {
	return observe(ctx, s.obs, "Covers", func(ctx context.Context) ([]bool, error) { return s.Store.Covers(ctx, v, roots, ids) })
}

func (s *store) Scenario(ctx context.Context, id string) (org.Scenario, error) {
	return observe(ctx, s.obs, "Scenario", func(ctx context.Context) (org.Scenario, error) { return s.Store.Scenario(ctx, id) })
}

func (s *store) Scenarios(ctx context.Context) ([]org.Scenario, error) {
	return observe(ctx, s.obs, "Scenarios", func(ctx context.Context) ([]org.Scenario, error) { return s.Store.Scenarios(ctx) })
}

func (s *store) Audit(ctx context.Context, e org.AuditEntry) error {
	return observe0(ctx, s.obs, "Audit", func(ctx context.Context) error { return s.Store.Audit(ctx, e) })
}

func (s *store) AuditLog(ctx context.Context, q org.AuditQuery) (org.AuditPage, error) {
	return observe(ctx, s.obs, "AuditLog", func(ctx context.Context) (org.AuditPage, error) { return s.Store.AuditLog(ctx, q) })
}

func (s *store) AuditCount(ctx context.Context) (int, error) {
	return observe(ctx, s.obs, "AuditCount", func(ctx context.Context) (int, error) { return s.Store.AuditCount(ctx) })
}

func (s *store) Update(ctx context.Context, fn func(org.Tx) error) error {
	return observe0(ctx, s.obs, "Update", func(ctx context.Context) error { return s.Store.Update(ctx, fn) })
}

func (s *store) View(ctx context.Context, fn func(org.Tx) error) error {
	return observe0(ctx, s.obs, "View", func(ctx context.Context) error { return s.Store.View(ctx, fn) })
}

func (s *store) Import(ctx context.Context, src org.RecordReader) (org.ImportStats, error) {
	return observe(ctx, s.obs, "Import", func(ctx context.Context) (org.ImportStats, error) { return s.Store.Import(ctx, src) })
}

func (s *store) Export(ctx context.Context, dst org.RecordWriter) error {
	return observe0(ctx, s.obs, "Export", func(ctx context.Context) error { return s.Store.Export(ctx, dst) })
}

func (s *store) Empty(ctx context.Context) (bool, error) {
	return observe(ctx, s.obs, "Empty", func(ctx context.Context) (bool, error) { return s.Store.Empty(ctx) })
}

func (s *store) Ping(ctx context.Context) error {
	return observe0(ctx, s.obs, "Ping", func(ctx context.Context) error { return s.Store.Ping(ctx) })
}

// tallies observes an org.MemberTallier.
type tallies struct {
	s *store
	t org.MemberTallier
}

func (t tallies) CellTallies(ctx context.Context, v org.View, cells []string) ([]*org.MemberTally, error) {
	return observe(ctx, t.s.obs, "CellTallies", func(ctx context.Context) ([]*org.MemberTally, error) {
		return t.t.CellTallies(ctx, v, cells)
	})
}

// scans observes an org.MemberScanner.
type scans struct {
	s *store
	m org.MemberScanner
}

func (m scans) ScanMembers(ctx context.Context, v org.View, cells []string, fn func(key string, m *org.Member) error) error {
	return observe0(ctx, m.s.obs, "ScanMembers", func(ctx context.Context) error { return m.m.ScanMembers(ctx, v, cells, fn) })
}
