package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// openEnd is a date after every finite date a record holds: the state on it is
// the open-ended state, the one the maintained counts describe.
const openEnd = org.Forever - 1

// Update runs fn in one write transaction. The transaction locks what it
// reads before reading it: the provinces above the records it reads (see
// lockTops), and the Meta node from its first change on (lockMeta); when fn
// returns, what it put is written in one statement (commit.cypher) with the
// counts it changes, worked out from those stored
// (tree.WriteCountChanges), its changes and its audit entries.
// The driver may run the whole of it again on a transient error (a deadlock
// between two writers among them), so fn must not keep state between runs.
//
// When the connection drops during the commit, nobody knows whether it
// applied, and the driver does not retry: Update runs again itself, under the
// key it recorded with its writes, first taking the Meta node's lock, which
// finds the key if the commit applied: then fn does not run, and Update
// answers as the committed run did.
func (s *Store) Update(ctx context.Context, fn func(org.Tx) error) error {
	key := org.NewID("u")
	var err error
	for attempt := range maxCommitAttempts {
		err = s.write(ctx, func(q querier) error {
			tx := s.newTx(q, key)
			if attempt > 0 {
				// The last run's commit may have applied: fn must not run
				// again, nor leave its results half redone.
				if err := tx.lockMeta(ctx); err != nil {
					return ignoreApplied(err)
				}
			}
			err := fn(tx)
			switch {
			case tx.applied:
				return nil
			case err != nil:
				return err
			}
			return tx.commit(ctx)
		})
		var connectivity *n4j.ConnectivityError
		if !errors.As(err, &connectivity) {
			break
		}
	}
	return err
}

// maxCommitAttempts bounds the runs of an Update whose commit's outcome was unknown.
const maxCommitAttempts = 3

// errApplied ends a run of an Update whose key a lock found: an earlier run
// committed. Update answers nil, whatever fn made of the error.
var errApplied = errors.New("neo4j: the Update committed in an earlier run")

// lockTops takes the lock of every province above the organisations and
// members of ids (province_lock.cypher), unless the transaction is a View or
// holds them all already: a writer reads records only after it holds their
// provinces, so that what it checks in Go stays true until it commits.
func (t *updateTx) lockTops(ctx context.Context, ids []string) error {
	if t.key == "" || !slices.ContainsFunc(ids, func(id string) bool { return !t.tops[id] }) {
		return nil
	}
	recs, err := run(ctx, t.q, "province_lock", map[string]any{"ids": ids, "commit": t.key})
	if err != nil {
		return err
	}
	var d decoder
	r := one(recs)
	tops, applied := d.strings(r, "tops"), d.boolean(r, "applied")
	if d.err != nil {
		return d.err
	}
	for _, id := range tops {
		t.tops[id] = true
	}
	return t.found(applied)
}

// lockMeta takes the lock on the Meta node (meta_lock.cypher), once, and
// reads the history's counter under it; a View, which writes nothing, takes
// no lock and numbers from zero.
func (t *updateTx) lockMeta(ctx context.Context) error {
	if t.metaLocked || t.key == "" {
		return nil
	}
	recs, err := run(ctx, t.q, "meta_lock", map[string]any{"key": metaKey, "commit": t.key})
	if err != nil {
		return err
	}
	var d decoder
	r := one(recs)
	t.changeSeq = d.integer(r, "changeSeq")
	applied := d.boolean(r, "applied")
	if d.err != nil {
		return d.err
	}
	t.metaLocked = true
	return t.found(applied)
}

// found notes what a lock found: whether an earlier run committed.
func (t *updateTx) found(applied bool) error {
	t.locked = true
	if applied {
		t.applied = true
		return errApplied
	}
	return nil
}

// View runs fn in a read transaction, routed to a reader on a cluster,
// without any lock; what fn puts is never written.
func (s *Store) View(ctx context.Context, fn func(org.Tx) error) error {
	return s.read(ctx, func(q querier) error { return fn(s.newTx(q, "")) })
}

// newTx is a transaction over q for the Update of key, or for a View
// without one.
func (s *Store) newTx(q querier, key string) *updateTx {
	t := &updateTx{
		store: s, q: q, key: key, storedCounts: map[string]org.Counts{}, tops: map[string]bool{},
		orgs: records[org.OrgRecord]{
			what: org.WhatOrg,
			id:   func(r *org.OrgRecord) string { return r.ID }, rev: func(r *org.OrgRecord) *int64 { return &r.Rev },
		},
		members: records[org.MemberRecord]{
			what: org.WhatMember,
			id:   func(r *org.MemberRecord) string { return r.ID }, rev: func(r *org.MemberRecord) *int64 { return &r.Rev },
		},
	}
	readOrgs := func(ctx context.Context, q querier, ids []string) (map[string]*org.OrgRecord, error) {
		recs, err := run(ctx, q, "org_records", map[string]any{"ids": ids, "at": dateParam(openEnd)})
		if err != nil {
			return nil, err
		}
		return t.storedOrgs(recs)
	}
	t.orgs.peek, t.members.peek = readOrgs, loadMembers
	t.orgs.load, t.members.load = locking(t, readOrgs), locking(t, loadMembers)
	return t
}

// locking is peek after the lock of the provinces of the records it reads.
func locking[R any](t *updateTx, peek func(context.Context, querier, []string) (map[string]*R, error)) func(context.Context, querier, []string) (map[string]*R, error) {
	return func(ctx context.Context, q querier, ids []string) (map[string]*R, error) {
		if err := t.lockTops(ctx, ids); err != nil {
			return nil, err
		}
		return peek(ctx, q, ids)
	}
}

// storedOrgs decodes records of org_records.cypher, keeping their counts.
func (t *updateTx) storedOrgs(recs []*n4j.Record) (map[string]*org.OrgRecord, error) {
	out := make(map[string]*org.OrgRecord, len(recs))
	for _, rec := range recs {
		o, err := decodeOrg(rec.AsMap())
		if err != nil {
			return nil, err
		}
		if err := t.keepCounts(o); err != nil {
			return nil, err
		}
		out[o.ID] = &o.OrgRecord
	}
	return out, nil
}

// keepCounts notes the counts of an organisation read, unless it read them
// before: a write recounts from them.
func (t *updateTx) keepCounts(o *storedOrg) error {
	if _, ok := t.storedCounts[o.ID]; ok {
		return nil
	}
	c, err := decodeCounts(o.counts)
	t.storedCounts[o.ID] = c
	return err
}

// updateTx is the org.Tx of one run of an Update.
type updateTx struct {
	store *Store
	q     querier
	// changeSeq is the history's counter as meta_lock found it: the
	// changes recorded take the numbers after it
	changeSeq int64
	key       string // the Update's, recorded at commit; empty in a View
	// the locks it holds: of the provinces of tops, and of the Meta node;
	// locked when it took any, applied when one found key committed
	tops                        map[string]bool
	metaLocked, locked, applied bool
	orgs                        records[org.OrgRecord]
	members                     records[org.MemberRecord]
	loaded                      workingSets    // the working sets read (see workingset.go)
	changes                     []stagedChange // recorded, in order
	rescoped                    []any          // rows {seq, scope} of changes rescoped (Rescope)
	audit                       []org.AuditEntry
	// scenarios read or put, by id, and the ids of those put, in the
	// order first put (see scenario.go)
	scenarios     map[string]*txScenario
	scenarioOrder []string
	// storedCounts are the counts of the organisations read, as stored
	storedCounts map[string]org.Counts
}

func (t *updateTx) Org(ctx context.Context, id string) (org.OrgRecord, error) {
	return t.orgs.read(ctx, t.q, id)
}

func (t *updateTx) Member(ctx context.Context, id string) (org.MemberRecord, error) {
	return t.members.read(ctx, t.q, id)
}

func (t *updateTx) PutOrg(ctx context.Context, r org.OrgRecord) error {
	if len(r.Versions) == 0 {
		return fmt.Errorf("neo4j: organisation %q has no version", r.ID)
	}
	return t.orgs.put(ctx, t.q, r)
}

func (t *updateTx) PutMember(ctx context.Context, r org.MemberRecord) error {
	return t.members.put(ctx, t.q, r)
}

// commit writes, in one statement after the scenarios put, what was put with
// the counts it changes, the changes recorded, whose scopes may name
// organisations put, the audit entries and the Update's key.
func (t *updateTx) commit(ctx context.Context) error {
	// A run that took no lock yet learns here whether an earlier one committed.
	if !t.locked {
		if err := t.lockMeta(ctx); err != nil {
			return ignoreApplied(err)
		}
	}
	if err := t.writeScenarios(ctx); err != nil {
		return err
	}
	w := writes{audit: t.audit, commit: t.key}
	if orgs, members := t.orgs.changes(), t.members.changes(); len(orgs) > 0 || len(members) > 0 {
		counts, changes, err := t.recount(ctx, orgs, members)
		if err != nil {
			return err
		}
		w.orgNodes, w.orgFacts, w.members, w.revised = t.orgs.puts(), t.orgs.puts(), t.members.puts(), true
		w.counts, w.countChanges = counts, changes
	}
	for _, c := range t.changes {
		w.changes = append(w.changes, c.row)
	}
	if len(w.changes) > 0 {
		w.changeSeq = t.changeSeq + int64(len(w.changes))
	}
	w.rescoped = t.rescoped
	return w.run(ctx, t.q)
}

// recount computes how the records put change the counts on every date
// (tree.WriteCountChanges), as the open-ended counts and the dated changes
// commit.cypher writes. It reads only the organisations the records name and
// those above them at any date, in one statement when the transaction has not
// read them all yet, and the dated counts of the organisations put that
// CountsMoved, in one.
func (t *updateTx) recount(ctx context.Context, orgs []*change[org.OrgRecord], members []*change[org.MemberRecord]) (counts, changes []any, err error) {
	orgPuts := make([]tree.RecordPut[org.OrgRecord], len(orgs))
	var existed []string // the organisations put whose counts before enter those after
	for i, c := range orgs {
		orgPuts[i] = tree.RecordPut[org.OrgRecord]{Before: c.before, After: c.after}
		if c.before != nil && tree.CountsMoved(orgPuts[i]) {
			existed = append(existed, c.before.ID)
		}
	}
	memberPuts := make([]tree.RecordPut[org.MemberRecord], len(members))
	for i, c := range members {
		memberPuts[i] = tree.RecordPut[org.MemberRecord]{Before: c.before, After: c.after}
	}
	reach := tree.CountsReach(orgPuts, memberPuts)
	if !t.knownAbove(reach) {
		recs, err := run(ctx, t.q, "orgs_above", map[string]any{"ids": reach})
		if err != nil {
			return nil, nil, err
		}
		found, err := t.storedOrgs(recs)
		if err != nil {
			return nil, nil, err
		}
		t.orgs.seed(found, reach)
	}
	histories, err := countHistories(ctx, t.q, existed)
	if err != nil {
		return nil, nil, err
	}
	dated, err := tree.WriteCountChanges(orgPuts, memberPuts, func(id string) (*org.OrgRecord, tree.CountHistory, bool) {
		c := t.orgs.byID[id]
		if c == nil {
			return nil, tree.CountHistory{}, false
		}
		return c.before, histories[id], true
	})
	if err != nil {
		return nil, nil, err
	}
	for _, id := range sortedKeys(dated) {
		open := t.storedCounts[id]
		for _, c := range dated[id] {
			open.Add(c.Counts, 1)
		}
		counts, changes = appendCountRows(counts, changes, id, open, dated[id])
	}
	return counts, changes, nil
}

// countHistories reads the counts through time of the organisations of ids.
func countHistories(ctx context.Context, q querier, ids []string) (map[string]tree.CountHistory, error) {
	out := map[string]tree.CountHistory{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := run(ctx, q, "count_history", map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	var d decoder
	for _, rec := range recs {
		r := rec.AsMap()
		var h tree.CountHistory
		if h.Open, err = decodeCounts(d.list(r, "counts")); err != nil {
			return nil, err
		}
		for _, c := range d.rows(r, "changes") {
			dc := tree.DatedCounts{On: d.date(c, "since", 0)}
			if dc.Counts, err = decodeCounts(d.list(c, "counts")); err != nil {
				return nil, err
			}
			h.Changes = append(h.Changes, dc)
		}
		slices.SortFunc(h.Changes, func(a, b tree.DatedCounts) int { return cmp.Compare(a.On, b.On) })
		out[d.str(r, "id")] = h
	}
	return out, d.err
}

// knownAbove reports whether the transaction read each organisation of ids
// (or knows it does not exist) and each above it at any date, before or
// after what it put.
func (t *updateTx) knownAbove(ids []string) bool {
	ids, seen := slices.Clone(ids), map[string]bool{}
	for len(ids) > 0 {
		id := ids[len(ids)-1]
		ids = ids[:len(ids)-1]
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		c := t.orgs.byID[id]
		if c == nil {
			return false
		}
		for _, r := range []*org.OrgRecord{c.before, c.after} {
			if r != nil {
				for _, v := range r.Versions {
					ids = append(ids, v.ParentID)
				}
			}
		}
	}
	return true
}

// ignoreApplied is err, or nil for errApplied.
func ignoreApplied(err error) error {
	if errors.Is(err, errApplied) {
		return nil
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Revision is the revision of the structure.
func (s *Store) Revision(ctx context.Context) (uint64, error) {
	var rev int64
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "revision", map[string]any{"key": metaKey})
		if err != nil {
			return err
		}
		var d decoder
		rev = d.integer(one(recs), "revision")
		return d.err
	})
	return uint64(rev), err
}

// records are the records of one kind a transaction read or put, by id, in
// the order first seen so that writes are deterministic.
type records[R interface{ Clone() R }] struct {
	what string // what a record is, in Vietnamese, for messages
	// load reads records under the lock of their provinces; peek without
	// it, for a new record's put, whose id must not exist yet
	load, peek func(ctx context.Context, q querier, ids []string) (map[string]*R, error)
	id         func(*R) string
	rev        func(*R) *int64
	byID       map[string]*change[R]
	order      []string
}

// change is a record as stored (nil when it is not) and as put (nil until it is).
type change[R any] struct{ before, after *R }

func (rs *records[R]) change(ctx context.Context, q querier, id string) (*change[R], error) {
	if err := rs.prefetch(ctx, q, []string{id}); err != nil {
		return nil, err
	}
	return rs.byID[id], nil
}

// prefetch reads, in one statement, the records of ids the transaction has
// not seen yet: a caller about to read them one by one then costs no more
// round trips.
func (rs *records[R]) prefetch(ctx context.Context, q querier, ids []string) error {
	return rs.fetch(ctx, q, ids, rs.load)
}

// fetch reads with load the records of ids the transaction has not seen yet.
func (rs *records[R]) fetch(ctx context.Context, q querier, ids []string, load func(context.Context, querier, []string) (map[string]*R, error)) error {
	missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return rs.byID[id] != nil })
	if len(missing) == 0 {
		return nil
	}
	loaded, err := load(ctx, q, missing)
	if err != nil {
		return err
	}
	if rs.byID == nil {
		rs.byID = map[string]*change[R]{}
	}
	for _, id := range missing {
		if rs.byID[id] == nil {
			rs.byID[id] = &change[R]{before: loaded[id]}
			rs.order = append(rs.order, id)
		}
	}
	return nil
}

// read is the record as this transaction sees it: as put, or as stored.
func (rs *records[R]) read(ctx context.Context, q querier, id string) (R, error) {
	c, err := rs.change(ctx, q, id)
	switch {
	case err != nil:
		var zero R
		return zero, err
	case c.after != nil:
		return (*c.after).Clone(), nil
	case c.before != nil:
		return (*c.before).Clone(), nil
	}
	var zero R
	return zero, org.NotFound(rs.what, id)
}

// put takes r to be written at commit. Its rev must be the one it was read
// with (0 for a new record); the record written carries the next one.
func (rs *records[R]) put(ctx context.Context, q querier, r R) error {
	load := rs.load
	if *rs.rev(&r) == 0 {
		// A new record: found, it is stale whatever the lock, and not
		// found, no other writer knows its fresh id.
		load = rs.peek
	}
	id := rs.id(&r)
	if err := rs.fetch(ctx, q, []string{id}, load); err != nil {
		return err
	}
	c := rs.byID[id]
	var current int64
	if latest := firstOf(c.after, c.before); latest != nil {
		current = *rs.rev(latest)
	}
	if *rs.rev(&r) != current {
		return org.Stale(rs.what, rs.id(&r))
	}
	r = r.Clone()
	*rs.rev(&r) = current + 1
	c.after = &r
	return nil
}

// firstOf is the first of a and b that is not nil.
func firstOf[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// changes are the records put, in the order first seen.
func (rs *records[R]) changes() []*change[R] {
	var out []*change[R]
	for _, id := range rs.order {
		if c := rs.byID[id]; c.after != nil {
			out = append(out, c)
		}
	}
	return out
}

// puts are the records as put, in the order first seen.
func (rs *records[R]) puts() []*R {
	var out []*R
	for _, c := range rs.changes() {
		out = append(out, c.after)
	}
	return out
}

// inBatches calls write with consecutive slices of at most size items.
func inBatches[T any](items []T, size int, write func([]T) error) error {
	for len(items) > 0 {
		n := min(size, len(items))
		if err := write(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// checkCreated compares the relationships a statement created with those it
// was given: fewer means a record points to an organisation that does not exist.
func checkCreated(created row, want map[string]int) error {
	var d decoder
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if n := d.integer(created, key); d.err == nil && n != int64(want[key]) {
			return fmt.Errorf("neo4j: created %d of %d %s: an organisation they point to does not exist", n, want[key], key)
		}
	}
	return d.err
}
