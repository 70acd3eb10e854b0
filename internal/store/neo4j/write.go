package neo4j

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// openEnd is a date after every finite date a record holds: the state on it is
// the open-ended state, the one the maintained counts describe.
const openEnd = org.Forever - 1

// Update runs fn in one write transaction. The transaction first takes the
// lock that serialises writers; fn's puts are written when fn returns, then
// the counts of every organisation they affect are recounted and the horizon
// moved, all before the commit. The driver may run the whole of it again on a
// transient error, so fn must not keep state between runs.
//
// When the connection drops during the commit, nobody knows whether it
// applied, and the driver does not retry: Update runs again itself, under the
// key it recorded with its writes, and a run that finds the key answers as
// the committed run did, without running fn again.
func (s *Store) Update(ctx context.Context, fn func(org.Tx) error) error {
	key := org.NewID("u")
	var err error
	for range maxCommitAttempts {
		err = s.write(ctx, func(q querier) error {
			tx, applied, err := s.beginUpdate(ctx, q, key)
			if err != nil || applied {
				return err
			}
			if err := fn(tx); err != nil {
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

// locked is what the writers' lock found.
type locked struct {
	horizon   org.Date
	changeSeq int64 // the history's counter
	applied   bool  // whether the Update of the key it was given committed already
}

// lock takes the writers' lock for the Update of key commit.
func lock(ctx context.Context, q querier, commit string) (locked, error) {
	recs, err := run(ctx, q, "meta_lock", map[string]any{"key": metaKey, "commit": commit})
	if err != nil {
		return locked{}, err
	}
	var d decoder
	r := one(recs)
	l := locked{horizon: d.date(r, "horizon", 0), changeSeq: d.integer(r, "changeSeq"), applied: d.boolean(r, "applied")}
	return l, d.err
}

// View runs fn in a read transaction, routed to a reader on a cluster,
// without the writers' lock; what fn puts is never written.
func (s *Store) View(ctx context.Context, fn func(org.Tx) error) error {
	return s.read(ctx, func(q querier) error { return fn(s.newTx(q, locked{}, "")) })
}

// beginUpdate takes the lock for the Update of key; applied, it returns no
// transaction.
func (s *Store) beginUpdate(ctx context.Context, q querier, key string) (tx *updateTx, applied bool, err error) {
	l, err := lock(ctx, q, key)
	if err != nil || l.applied {
		return nil, l.applied, err
	}
	return s.newTx(q, l, key), false, nil
}

// newTx is a transaction over q, whose lock found l, for the Update of key.
func (s *Store) newTx(q querier, l locked, key string) *updateTx {
	return &updateTx{
		store: s, q: q, horizon: l.horizon, changeSeq: l.changeSeq, key: key,
		orgs: records[org.OrgRecord]{
			what: org.WhatOrg, load: loadOrgRecords,
			id: func(r *org.OrgRecord) string { return r.ID }, rev: func(r *org.OrgRecord) *int64 { return &r.Rev },
		},
		members: records[org.MemberRecord]{
			what: org.WhatMember, load: loadMembers,
			id: func(r *org.MemberRecord) string { return r.ID }, rev: func(r *org.MemberRecord) *int64 { return &r.Rev },
		},
	}
}

// updateTx is the org.Tx of one run of an Update.
type updateTx struct {
	store   *Store
	q       querier
	horizon org.Date // as the lock found it
	// changeSeq is the history's counter as the lock found it: the changes
	// recorded take the numbers after it
	changeSeq int64
	key       string // the Update's, recorded at commit
	orgs      records[org.OrgRecord]
	members   records[org.MemberRecord]
	loaded    workingSets    // the working sets read (see workingset.go)
	changes   []stagedChange // recorded, in order
	audit     []org.AuditEntry
	// scenarios read or put, by id, and the ids of those put, in the
	// order first put (see scenario.go)
	scenarios     map[string]*txScenario
	scenarioOrder []string
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

// commit writes what was put, then the changes recorded, whose scopes may
// name organisations put, then the scenarios put, then the audit entries,
// then the Update's key.
func (t *updateTx) commit(ctx context.Context) error {
	if err := t.writeRecords(ctx); err != nil {
		return err
	}
	rows := make([]map[string]any, len(t.changes))
	for i, c := range t.changes {
		rows[i] = c.row
	}
	if err := t.store.writeChanges(ctx, rows, t.inThisTransaction); err != nil {
		return err
	}
	if len(rows) > 0 {
		last := t.changeSeq + int64(len(rows))
		if _, err := run(ctx, t.q, "change_seq_raise", map[string]any{"key": metaKey, "seq": last}); err != nil {
			return err
		}
	}
	if err := t.writeScenarios(ctx); err != nil {
		return err
	}
	if err := appendAudit(ctx, t.q, t.audit); err != nil {
		return err
	}
	_, err := run(ctx, t.q, "commit_record", map[string]any{"key": t.key, "at": time.Now().UTC()})
	return err
}

// inThisTransaction runs work in the transaction.
func (t *updateTx) inThisTransaction(work func(querier) error) error { return work(t.q) }

// writeRecords writes what was put, recounts what it affects and moves the
// horizon and the revision.
func (t *updateTx) writeRecords(ctx context.Context) error {
	orgs, members := t.orgs.puts(), t.members.puts()
	if len(orgs) == 0 && len(members) == 0 {
		return nil
	}
	if err := t.store.putGraph(ctx, orgs, members, t.inThisTransaction); err != nil {
		return err
	}
	// The organisations whose counts may change: those put, their parents
	// before and after, and the cells members left or joined (or whose status
	// changed); recount takes their ancestors along.
	affected, cells := map[string]bool{}, map[string]bool{}
	for _, c := range t.orgs.changes() {
		affected[c.after.ID] = true
		affected[openParent(c.before)] = true
		affected[openParent(c.after)] = true
	}
	for _, c := range t.members.changes() {
		cells[openCell(c.before)] = true
		cells[openCell(c.after)] = true
	}
	delete(affected, "")
	delete(cells, "")
	maps.Copy(affected, cells)
	if err := t.store.recount(ctx, t.q, sortedKeys(affected), sortedKeys(cells)); err != nil {
		return err
	}
	return structureWritten(ctx, t.q, t.horizon, orgs, members)
}

// openParent is the parent of the organisation in the open-ended state, if any.
func openParent(r *org.OrgRecord) string {
	if r == nil {
		return ""
	}
	v, _ := r.At(openEnd)
	return v.ParentID
}

// openCell is the member's official cell in the open-ended state, if any.
func openCell(r *org.MemberRecord) string {
	if r == nil {
		return ""
	}
	return r.CellOn(openEnd)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// structureWritten moves the horizon to the latest date the records reach, if
// later, and the revision.
func structureWritten(ctx context.Context, q querier, horizon org.Date, orgs []*org.OrgRecord, members []*org.MemberRecord) error {
	latest := horizon
	for _, r := range orgs {
		latest = max(latest, orgReach(r))
	}
	for _, r := range members {
		latest = max(latest, memberReach(r))
	}
	_, err := run(ctx, q, "structure_written", map[string]any{"key": metaKey, "horizon": dateParam(latest)})
	return err
}

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
	what  string // what a record is, in Vietnamese, for messages
	load  func(ctx context.Context, q querier, ids []string) (map[string]*R, error)
	id    func(*R) string
	rev   func(*R) *int64
	byID  map[string]*change[R]
	order []string
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
	missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return rs.byID[id] != nil })
	if len(missing) == 0 {
		return nil
	}
	loaded, err := rs.load(ctx, q, missing)
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
	c, err := rs.change(ctx, q, rs.id(&r))
	if err != nil {
		return err
	}
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

// putGraph writes records in batches, replacing what the graph held of them:
// organisations first, all of them, so that versions and memberships find the
// organisations they point to. inTx runs each batch: in the caller's
// transaction for an Update, in one of its own for an Import.
func (s *Store) putGraph(ctx context.Context, orgs []*org.OrgRecord, members []*org.MemberRecord,
	inTx func(work func(querier) error) error) error {
	for _, put := range []func(querier, []*org.OrgRecord) error{
		func(q querier, b []*org.OrgRecord) error { return putOrgNodes(ctx, q, b) },
		func(q querier, b []*org.OrgRecord) error { return putOrgFacts(ctx, q, b) },
	} {
		if err := inBatches(orgs, s.batchSize, func(b []*org.OrgRecord) error {
			return inTx(func(q querier) error { return put(q, b) })
		}); err != nil {
			return err
		}
	}
	return inBatches(members, s.batchSize, func(b []*org.MemberRecord) error {
		return inTx(func(q querier) error { return putMembers(ctx, q, b) })
	})
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

// putOrgNodes sets the properties of the organisations, creating those that are new.
func putOrgNodes(ctx context.Context, q querier, batch []*org.OrgRecord) error {
	rows := make([]any, len(batch))
	for i, r := range batch {
		rows[i] = orgRow(r)
	}
	_, err := run(ctx, q, "org_upsert", map[string]any{"rows": rows})
	return err
}

// putOrgFacts replaces the versions of the organisations and their PART_OF
// relationships; every parent must exist.
func putOrgFacts(ctx context.Context, q querier, batch []*org.OrgRecord) error {
	ids := make([]string, len(batch))
	var versions, parts []any
	for i, r := range batch {
		ids[i] = r.ID
		vs, ps := orgFactRows(r)
		versions, parts = append(versions, vs...), append(parts, ps...)
	}
	if _, err := run(ctx, q, "org_facts_delete", map[string]any{"ids": ids}); err != nil {
		return err
	}
	recs, err := run(ctx, q, "org_facts_create", map[string]any{"versions": versions, "parts": parts})
	if err != nil {
		return err
	}
	return checkCreated(one(recs), map[string]int{"versions": len(versions), "parts": len(parts)})
}

// putMembers sets the properties of the members, creating those that are new,
// and replaces their facts; every organisation they point to must exist.
func putMembers(ctx context.Context, q querier, batch []*org.MemberRecord) error {
	ids := make([]string, len(batch))
	rows := make([]any, len(batch))
	var stints, residences, roles []any
	for i, r := range batch {
		ids[i], rows[i] = r.ID, memberRow(r)
		s, res, rl := memberFactRows(r)
		stints, residences, roles = append(stints, s...), append(residences, res...), append(roles, rl...)
	}
	if _, err := run(ctx, q, "member_upsert", map[string]any{"rows": rows}); err != nil {
		return err
	}
	if _, err := run(ctx, q, "member_facts_delete", map[string]any{"ids": ids}); err != nil {
		return err
	}
	recs, err := run(ctx, q, "member_facts_create", map[string]any{
		"stints": stints, "residences": residences, "roles": roles})
	if err != nil {
		return err
	}
	return checkCreated(one(recs), map[string]int{"stints": len(stints), "residences": len(residences), "roles": len(roles)})
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
