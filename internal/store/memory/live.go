package memory

import (
	"context"
	"encoding/binary"
	"fmt"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

var _ org.Feed = (*Store)(nil)

// LastSeq is the number of the last change applied in memory: one the live
// feed may read and readers already see.
func (s *Store) LastSeq(context.Context) (int64, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	return sd.g.history.last, nil
}

// ChangesAfter reads the changes numbered above after, up to the last one
// applied, from disk (numbers may have gaps where a dataset imported had them).
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]org.Change, error) {
	last, _ := s.LastSeq(ctx)
	if err := s.checkpoint(); err != nil {
		return nil, err
	}
	var out []org.Change
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(changeBucket).Cursor()
		for k, v := cur.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = cur.Next() {
			if len(k) != 8 || int64(binary.BigEndian.Uint64(k)) > last {
				break
			}
			var c org.Change
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("memory: change %x: %w", k, err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Commits signals every Update that recorded changes.
func (s *Store) Commits() <-chan struct{} { return s.commits }

func (s *Store) signalCommit() {
	select {
	case s.commits <- struct{}{}:
	default: // a signal is pending already
	}
}
