package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dangbo/internal/org"
)

// Several instances may start together on an empty database, and each would
// load the demo: the first import claims the database on the Meta node
// (import_claim.cypher) and the others wait for it to end. Every transaction
// of the import notes that it is alive (import_beat.cypher); the last
// releases the claim, and only then does the database count as holding data.
// An import that fails wipes what it wrote; one whose instance died stops
// beating, and the next start wipes what it left and imports again. So no
// instance ever serves a partial import.

// Defaults of how long an import may go without writing before another
// instance takes it for dead, and how often a waiting instance looks again.
const (
	defaultImportStale = 2 * time.Minute
	defaultImportPoll  = time.Second
)

// importState is what import_state.cypher says.
type importState struct{ data, underway, abandoned bool }

func (s *Store) importState(ctx context.Context) (importState, error) {
	var st importState
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "import_state", map[string]any{"key": metaKey, "stale": time.Now().Add(-s.importStale).UTC()})
		if err != nil {
			return err
		}
		var d decoder
		r := one(recs)
		st = importState{data: d.boolean(r, "data"), underway: d.boolean(r, "underway"), abandoned: d.boolean(r, "abandoned")}
		return d.err
	})
	return st, err
}

// Empty reports whether the store holds no organisation yet. While another
// instance imports, it waits for the import to end; what an abandoned import
// left counts as empty: the next import replaces it.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	for {
		st, err := s.importState(ctx)
		switch {
		case err != nil:
			return false, err
		case st.underway:
			if err := s.pause(ctx); err != nil {
				return false, err
			}
		default:
			return !st.data || st.abandoned, nil
		}
	}
}

// pause waits a poll interval, or until ctx ends.
func (s *Store) pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.importPoll):
		return nil
	}
}

// claimImport claims the database for a new import and returns its id:
// ErrNotEmpty when it holds data; it waits while another import runs, and
// wipes what an abandoned one left.
func (s *Store) claimImport(ctx context.Context) (string, error) {
	id := org.NewID("i")
	for {
		var state string
		err := s.write(ctx, func(q querier) error {
			recs, err := run(ctx, q, "import_claim", map[string]any{
				"key": metaKey, "id": id, "version": int64(schemaVersion), "now": time.Now().UTC(), "stale": time.Now().Add(-s.importStale).UTC()})
			if err != nil {
				return err
			}
			var d decoder
			state = d.str(one(recs), "state")
			return d.err
		})
		switch {
		case err != nil:
			return "", err
		case state == "claimed":
			return id, nil
		case state == "done":
			return "", org.ErrNotEmpty
		case state == "busy":
			err = s.pause(ctx)
		case state == "abandoned":
			err = s.wipe(ctx, "")
		default:
			err = fmt.Errorf("neo4j: import_claim answered %q", state)
		}
		if err != nil {
			return "", err
		}
	}
}

// errClaimLost fails an import whose claim another instance took over.
var errClaimLost = errors.New("neo4j: another instance took over the import")

// beat notes, in the transaction of q, that import id is alive, or with last
// that it ended; errClaimLost when the claim is no longer its own.
func beat(ctx context.Context, q querier, id string, last bool) error {
	recs, err := run(ctx, q, "import_beat", map[string]any{"key": metaKey, "id": id, "now": time.Now().UTC(), "last": last})
	if err != nil {
		return err
	}
	var d decoder
	if mine := d.integer(one(recs), "mine"); d.err == nil && mine == 0 {
		return errClaimLost
	}
	return d.err
}

// wipe deletes every node, in batches so that no transaction grows with the
// data; with an import's id, only while that import holds its claim.
func (s *Store) wipe(ctx context.Context, importID string) error {
	for {
		var deleted int64
		err := s.write(ctx, func(q querier) error {
			if importID != "" {
				if err := beat(ctx, q, importID, false); err != nil {
					return err
				}
			}
			recs, err := run(ctx, q, "wipe_batch", map[string]any{"limit": int64(10000)})
			var d decoder
			deleted = d.integer(one(recs), "deleted")
			return errors.Join(err, d.err)
		})
		if err != nil || deleted == 0 {
			return err
		}
	}
}
