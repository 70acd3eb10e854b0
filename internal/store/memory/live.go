package memory

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

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
// applied, from disk (numbers may have gaps where a dataset imported had them),
// then from the log those not yet in the file, numbered above them.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]org.Change, error) {
	last, _ := s.LastSeq(ctx)
	logged := s.loggedChanges()
	var out []org.Change
	decode := func(seq int64, v []byte) error {
		var c org.Change
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("memory: change %d: %w", seq, err)
		}
		out = append(out, c)
		return nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(changeBucket).Cursor()
		for k, v := cur.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = cur.Next() {
			if len(k) != 8 || int64(binary.BigEndian.Uint64(k)) > last {
				break
			}
			if err := decode(int64(binary.BigEndian.Uint64(k)), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		after = out[len(out)-1].Seq
	}
	for _, seq := range slices.Sorted(maps.Keys(logged)) {
		if len(out) == limit || seq > last {
			break
		}
		if seq > after {
			if err := decode(seq, logged[seq]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Commits signals every Update that recorded changes.
func (s *Store) Commits() <-chan struct{} { return s.commits }

func (s *Store) signalCommit() {
	select {
	case s.commits <- struct{}{}:
	default: // a signal is pending already
	}
}
