package neo4j

import (
	"context"

	"dangbo/internal/org"
)

var _ org.Feed = (*Store)(nil)

// LastSeq reads the history's counter: writers take numbers from it under
// the lock node, so changes commit in the order of their numbers.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "change_seq_last", map[string]any{"key": metaKey})
		if err != nil {
			return err
		}
		var d decoder
		seq = d.integer(one(recs), "seq")
		return d.err
	})
	return seq, err
}

// ChangesAfter reads a page of the history by number, in a read transaction.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]org.Change, error) {
	var page []org.Change
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "changes_after", map[string]any{"after": after, "limit": int64(limit)})
		if err != nil {
			return err
		}
		page, err = changesOf(recs)
		return err
	})
	return page, err
}

// Commits is nil: other instances write to the same database unseen, so the
// live feed polls LastSeq's counter through ChangesAfter instead (every
// org.DefaultPollInterval while someone follows).
func (*Store) Commits() <-chan struct{} { return nil }
