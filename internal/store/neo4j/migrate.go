package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// schemaVersion is the layout of the graph this version reads and writes,
// noted on the Meta node (Meta.schemaVersion; none is 1):
//
//  1. what versions before dated counts wrote: an organisation's counts are
//     those of the open-ended state only (Meta.horizon said from when), and
//     changes recorded before decision keys have none;
//  2. counts on every date (CountDelta, Org.changedTo, see commit.cypher) and
//     a decisionKey on every change that has a decision number;
//  3. the decision date of every rating and count of meetings (ratingDates,
//     meetingDates), which a read as of a date needs (org/yearly.go).
//
// Layout 3 follows from the records and the history alone, so a migration
// rewrites it from them: whatever an earlier version kept (or a migration
// that died half way wrote) is replaced, never added to, and every step may
// run again.
const schemaVersion = 3

// upgrade brings a database an earlier version wrote to this version's
// layout. Of several instances starting together, the first to claim it
// migrates and the others wait until it is done; a migration whose instance
// died stops noting that it is alive, and the next start migrates again.
func (s *Store) upgrade(ctx context.Context) error {
	id := org.NewID("u")
	for {
		var state string
		var from int64
		err := s.write(ctx, func(q querier) error {
			recs, err := run(ctx, q, "migration_claim", map[string]any{"key": metaKey, "id": id, "version": int64(schemaVersion),
				"now": time.Now().UTC(), "stale": time.Now().Add(-s.importStale).UTC()})
			if err != nil {
				return err
			}
			var d decoder
			state, from = d.str(one(recs), "state"), d.integer(one(recs), "version")
			return d.err
		})
		switch {
		case err != nil:
			return err
		case state == "current":
			return nil
		case state == "newer":
			return fmt.Errorf("neo4j: the database is in layout %d, which a later version of dangbo wrote; this one reads layout %d", from, schemaVersion)
		case state == "busy":
			if err := s.pause(ctx); err != nil {
				return err
			}
		case state == "claimed":
			start := time.Now()
			s.log.Info("migrating the Neo4j database to this version's layout", "from", from, "to", schemaVersion)
			if err := s.migrate(ctx, id); err != nil {
				return fmt.Errorf("neo4j: migrating from layout %d: %w", from, err)
			}
			s.log.Info("Neo4j database migrated", "to", schemaVersion, "took", time.Since(start).Round(time.Millisecond))
			return nil
		default:
			return fmt.Errorf("neo4j: migration_claim answered %q", state)
		}
	}
}

// errMigrationLost fails a migration whose claim another instance took over.
var errMigrationLost = errors.New("neo4j: another instance took over the migration")

// migrate runs migration id, every transaction of it noting first that it
// is alive: decision keys, then the counts on every date, counted from every
// record as an import counts them, and the decision dates of ratings and
// meetings, from the changes that recorded them, written in batches; the
// last transaction notes the layout and releases the claim.
func (s *Store) migrate(ctx context.Context, id string) error {
	beating := func(last bool, work func(querier) error) error {
		return s.write(ctx, func(q querier) error {
			recs, err := run(ctx, q, "migration_beat", map[string]any{"key": metaKey, "id": id, "version": int64(schemaVersion),
				"now": time.Now().UTC(), "last": last})
			if err != nil {
				return err
			}
			var d decoder
			if mine := d.integer(one(recs), "mine"); d.err != nil || mine == 0 {
				return cmp.Or(d.err, errMigrationLost)
			}
			return work(q)
		})
	}
	for after := int64(0); ; {
		// The work sets n and last afresh on every run: the driver may run it twice.
		var n, last int64
		if err := beating(false, func(q querier) error {
			recs, err := run(ctx, q, "migrate_decision_keys", map[string]any{"after": after, "limit": int64(s.batchSize)})
			if err != nil {
				return err
			}
			var d decoder
			n, last = d.integer(one(recs), "changes"), d.integer(one(recs), "last")
			return d.err
		}); err != nil {
			return err
		}
		if n < int64(s.batchSize) {
			break
		}
		after = last
	}
	var orgs []*org.OrgRecord
	var members []*org.MemberRecord
	inMigration := func(_ context.Context, work func(querier) error) error { return beating(false, work) }
	if err := readAll(ctx, inMigration, "org_ids_after", loadOrgRecords, func(r *org.OrgRecord) error {
		orgs = append(orgs, r)
		return nil
	}); err != nil {
		return err
	}
	if err := readAll(ctx, inMigration, "member_ids_after", loadMembers, func(r *org.MemberRecord) error {
		members = append(members, r)
		return nil
	}); err != nil {
		return err
	}
	var histories map[string]tree.CountHistory
	if err := s.keepingAlive(ctx, func() error { return beating(false, func(querier) error { return nil }) }, func() (err error) {
		histories, err = tree.CountChangesOf(orgs, members)
		return err
	}); err != nil {
		return err
	}
	// A batch holds whole organisations, up to about batchSize rows with
	// their dated changes, so that no statement grows with a province's history.
	var batch []any
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := beating(false, func(q querier) error {
			recs, err := run(ctx, q, "migrate_counts", map[string]any{"rows": batch})
			if err != nil {
				return err
			}
			var d decoder
			if n := d.integer(one(recs), "orgs"); d.err == nil && n != int64(len(batch)) {
				return fmt.Errorf("neo4j: migrate_counts wrote the counts of %d organisations, want %d", n, len(batch))
			}
			return d.err
		})
		batch, size = nil, 0
		return err
	}
	for _, r := range orgs {
		h := histories[r.ID]
		row := map[string]any{"id": r.ID, "counts": encodeCounts(h.Open), "changedTo": nil, "changes": []any{}}
		changes := make([]any, len(h.Changes))
		for i, c := range h.Changes {
			changes[i] = map[string]any{"since": dateParam(c.On), "counts": encodeCounts(c.Counts)}
		}
		if len(changes) > 0 {
			row["changes"], row["changedTo"] = changes, dateParam(h.Changes[len(h.Changes)-1].On)
		}
		batch, size = append(batch, row), size+1+len(changes)
		if size >= s.batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := s.migrateDecisionDates(ctx, inMigration, orgs, members); err != nil {
		return err
	}
	return beating(true, func(querier) error { return nil })
}

// migrateDecisionDates writes the decision dates of every rating and count
// of meetings: those the records carry, the undated dated by the changes
// that recorded them (org.FactDates), the rest their fallback. It writes
// whole lists: dating may order a year's facts anew.
func (s *Store) migrateDecisionDates(ctx context.Context, tx func(context.Context, func(querier) error) error,
	orgs []*org.OrgRecord, members []*org.MemberRecord) error {
	dates := org.FactDates{}
	for cq := (org.ChangeQuery{Types: []org.ChangeType{org.ChangeRated, org.ChangeMeetingsRecorded}, First: s.batchSize}); ; {
		var page org.ChangePage
		if err := tx(ctx, func(q querier) (err error) {
			page, err = changes(ctx, q, cq)
			return err
		}); err != nil {
			return err
		}
		for i := range page.Changes {
			dates.Note(&page.Changes[i])
		}
		if !page.HasNext {
			break
		}
		cq.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	var orgRows, memberRows []any
	flush := func() error {
		if len(orgRows)+len(memberRows) == 0 {
			return nil
		}
		err := tx(ctx, func(q querier) error {
			recs, err := run(ctx, q, "migrate_decision_dates", map[string]any{"orgs": orgRows, "members": memberRows})
			if err != nil {
				return err
			}
			var d decoder
			if o, m := d.integer(one(recs), "orgs"), d.integer(one(recs), "members"); d.err == nil && (o != int64(len(orgRows)) || m != int64(len(memberRows))) {
				return fmt.Errorf("neo4j: migrate_decision_dates dated %d organisations and %d members, want %d and %d", o, m, len(orgRows), len(memberRows))
			}
			return d.err
		})
		orgRows, memberRows = nil, nil
		return err
	}
	for _, r := range orgs {
		if len(r.Ratings)+len(r.Meetings) == 0 {
			continue
		}
		dates.DateOrg(r)
		row := orgRow(r)
		orgRows = append(orgRows, map[string]any{"id": r.ID, "ratingYears": row["ratingYears"], "ratingGrades": row["ratingGrades"],
			"ratingDates": row["ratingDates"], "meetingYears": row["meetingYears"], "meetingCounts": row["meetingCounts"],
			"meetingDates": row["meetingDates"]})
		if len(orgRows) >= s.batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, r := range members {
		if len(r.Ratings) == 0 {
			continue
		}
		dates.DateMember(r)
		years, grades, ratingDates := ratingValues(r.Ratings)
		memberRows = append(memberRows, map[string]any{"id": r.ID, "ratingYears": years, "ratingGrades": grades, "ratingDates": ratingDates})
		if len(memberRows) >= s.batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// keepingAlive runs work, noting with beat every quarter of the staleness
// window that the claim's holder is alive, so that a long step in memory
// (counting a country's history) is not taken for a dead import or
// migration by another instance. It answers work's error, else the beat's.
func (s *Store) keepingAlive(ctx context.Context, beat func() error, work func() error) error {
	done := make(chan struct{})
	beats := make(chan error, 1)
	go func() {
		t := time.NewTicker(s.importStale / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				beats <- nil
				return
			case <-ctx.Done():
				beats <- ctx.Err()
				return
			case <-t.C:
				if err := beat(); err != nil {
					beats <- err
					return
				}
			}
		}
	}()
	err := work()
	close(done)
	return cmp.Or(err, <-beats)
}
