package neo4j

import (
	"context"
	"errors"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// exportPage is how many records Export reads in one transaction;
// exportChangePage how many changes, which carry whole records each.
const (
	exportPage       = 1000
	exportChangePage = 100
)

// Import loads a whole dataset into an empty store. It reads and checks the
// whole dataset first (dataset.Checker: the rules every write applies), then
// counts every organisation on every date in memory (tree.CountChangesOf),
// writes it all in batches, each in a transaction of its own so that no
// transaction grows with the dataset, and last moves the revision. The history, last in the dataset, keeps its numbers; the
// history's counter is moved past the highest. The import claims the
// database first, and an import that fails while writing wipes what it wrote
// (see seeding.go): the store holds the whole dataset or nothing.
func (s *Store) Import(ctx context.Context, src org.RecordReader) (stats org.ImportStats, err error) {
	fail := func(err error) (org.ImportStats, error) { return org.ImportStats{}, err }
	empty, err := s.Empty(ctx)
	if err != nil {
		return fail(err)
	}
	if !empty {
		return fail(org.ErrNotEmpty)
	}
	orgs, members, history, err := dataset.ReadAll(ctx, src)
	if err != nil {
		return fail(err)
	}
	changes, lastSeq, err := historyRows(history)
	if err != nil {
		return fail(err)
	}
	for _, r := range orgs {
		r.Rev = 1
	}
	for _, r := range members {
		r.Rev = 1
	}
	id, err := s.claimImport(ctx)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil && !errors.Is(err, errClaimLost) {
			// Best effort: what is left is wiped by the next import.
			_ = s.wipe(context.WithoutCancel(ctx), id)
		}
	}()
	var counts, countChanges []any
	if err := s.keepingAlive(ctx, func() error {
		return s.write(ctx, func(q querier) error { return beat(ctx, q, id, false) })
	}, func() (err error) {
		counts, countChanges, err = importCounts(orgs, members)
		return err
	}); err != nil {
		return fail(err)
	}
	inOwnTransaction := func(w writes) error {
		return s.write(ctx, func(q querier) error {
			if err := beat(ctx, q, id, false); err != nil {
				return err
			}
			return w.run(ctx, q)
		})
	}
	// Organisations first, all of them, so that versions and memberships
	// find the organisations they point to.
	for _, batches := range []func() error{
		func() error {
			return inBatches(orgs, s.batchSize, func(b []*org.OrgRecord) error { return inOwnTransaction(writes{orgNodes: b}) })
		},
		func() error {
			return inBatches(orgs, s.batchSize, func(b []*org.OrgRecord) error { return inOwnTransaction(writes{orgFacts: b}) })
		},
		func() error {
			return inBatches(members, s.batchSize, func(b []*org.MemberRecord) error { return inOwnTransaction(writes{members: b}) })
		},
		func() error {
			return inBatches(changes, s.batchSize, func(b []map[string]any) error { return inOwnTransaction(writes{changes: b}) })
		},
		func() error {
			return inBatches(counts, s.batchSize, func(b []any) error { return inOwnTransaction(writes{counts: b}) })
		},
		func() error {
			return inBatches(countChanges, s.batchSize, func(b []any) error { return inOwnTransaction(writes{countChanges: b}) })
		},
	} {
		if err := batches(); err != nil {
			return fail(err)
		}
	}
	// The import ends with this transaction.
	if err := s.write(ctx, func(q querier) error {
		if err := beat(ctx, q, id, true); err != nil {
			return err
		}
		return writes{changeSeq: lastSeq, revised: true}.run(ctx, q)
	}); err != nil {
		return fail(err)
	}
	return org.ImportStats{Orgs: len(orgs), Members: len(members), Changes: len(history)}, nil
}

// importCounts are the counts of a whole dataset on every date, as rows for
// commit.cypher: the open-ended state's and their dated changes.
func importCounts(orgs []*org.OrgRecord, members []*org.MemberRecord) (counts, changes []any, err error) {
	histories, err := tree.CountChangesOf(orgs, members)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range sortedKeys(histories) {
		h := histories[id]
		counts, changes = appendCountRows(counts, changes, id, h.Open, h.Changes)
	}
	return counts, changes, nil
}

// historyRows are the checked changes of a dataset as rows for
// commit.cypher, and the highest sequence number.
func historyRows(changes []*org.Change) ([]map[string]any, int64, error) {
	rows := make([]map[string]any, len(changes))
	var last int64
	for i, c := range changes {
		var err error
		if rows[i], err = changeRow(c); err != nil {
			return nil, 0, err
		}
		last = c.Seq
	}
	return rows, last, nil
}

// Export writes every organisation, then every member, by id, then the
// history by number, each page of records read in a transaction of its own.
func (s *Store) Export(ctx context.Context, dst org.RecordWriter) error {
	if err := readAll(ctx, s.read, "org_ids_after", loadOrgRecords, func(r *org.OrgRecord) error {
		return dst.Write(org.Record{Org: r})
	}); err != nil {
		return err
	}
	if err := readAll(ctx, s.read, "member_ids_after", loadMembers, func(r *org.MemberRecord) error {
		return dst.Write(org.Record{Member: r})
	}); err != nil {
		return err
	}
	return s.exportChanges(ctx, dst)
}

// exportChanges pages through the history by number.
func (s *Store) exportChanges(ctx context.Context, dst org.RecordWriter) error {
	var after int64
	for {
		page, err := s.ChangesAfter(ctx, after, exportChangePage)
		if err != nil {
			return err
		}
		for i := range page {
			if err := dst.Write(org.Record{Change: &page[i]}); err != nil {
				return err
			}
		}
		if len(page) < exportChangePage {
			return nil
		}
		after = page[len(page)-1].Seq
	}
}

// readAll pages through the ids a statement lists and writes their records,
// each page in a transaction of its own that tx runs.
func readAll[R any](ctx context.Context, tx func(context.Context, func(querier) error) error, statement string,
	load func(context.Context, querier, []string) (map[string]*R, error), write func(*R) error) error {
	after := ""
	for {
		var ids []string
		var recs map[string]*R
		err := tx(ctx, func(q querier) (err error) {
			if ids, err = idList(ctx, q, statement, map[string]any{"after": after, "limit": int64(exportPage)}); err != nil {
				return err
			}
			recs, err = load(ctx, q, ids)
			return err
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if r := recs[id]; r != nil {
				if err := write(r); err != nil {
					return err
				}
			}
		}
		if len(ids) < exportPage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}
