package memory

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// Update runs fn with exclusive write access. fn reads the committed records
// plus its own staged writes; if it succeeds, its writes are persisted (fsync)
// and then published in memory, so readers see all of them or none.
func (s *Store) Update(ctx context.Context, fn func(org.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := s.newTxn()
	if err := fn(tx); err != nil {
		return err
	}
	if tx.st.empty() {
		return nil
	}
	if err := persist(s.db, &tx.st); err != nil {
		return fmt.Errorf("memory: persist: %w", err)
	}
	s.publish(&tx.st)
	if len(tx.st.orgs)+len(tx.st.members) > 0 {
		s.revision.Add(1)
	}
	if len(tx.st.changes) > 0 {
		s.signalCommit()
	}
	return nil
}

// publish applies a committed write to the inactive side and makes that side
// the active one. The side it leaves gets the write in the background, once
// the readers it still has let go of it: the next writer waits for that only
// if it comes to publish before, its own fsync in between. The caller holds
// writeMu.
func (s *Store) publish(st *staged) {
	s.settle()
	next := s.inactive()
	next.mu.Lock() // no reader waits: next is not the active side
	next.apply(st, s.log)
	next.mu.Unlock()
	prev := s.active.Swap(next)
	done := make(chan struct{})
	s.caughtUp = done
	go func() {
		defer close(done)
		prev.mu.Lock()
		defer prev.mu.Unlock()
		prev.apply(st, s.log)
	}()
}

// View runs fn like Update and discards what it staged. It holds the
// writers' lock, so the active side it reads stays as it is without holding
// up readers, whatever fn's run takes.
func (s *Store) View(ctx context.Context, fn func(org.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(s.newTxn())
}

// newTxn reads the active side, which no one changes while the caller holds writeMu.
func (s *Store) newTxn() *txn {
	sd := s.active.Load()
	return &txn{s: s, g: sd.g, scenarios: sd.scenarios, st: staged{orgs: map[string]*org.OrgRecord{}, members: map[string]*org.MemberRecord{}}}
}

// apply installs committed records, changes and scenarios in the side and
// refreshes what it derived for each date; the caller holds sd.mu.
func (sd *side) apply(st *staged, log *slog.Logger) {
	for id, e := range st.scenarios {
		sd.scenarios[id] = e
	}
	for _, c := range st.changes {
		sd.g.history.add(c.head)
	}
	if len(st.orgs)+len(st.members) == 0 {
		return // the structure is as it was
	}
	changed := make(map[string]struct{}, len(st.orgs)+2*len(st.members))
	for id, r := range st.orgs {
		sd.g.putOrg(*r)
		changed[id] = struct{}{}
	}
	for _, r := range st.members {
		var was *org.MemberRecord
		if e := sd.g.members[r.ID]; e != nil {
			was = &e.rec
		}
		_ = sd.tallies.each(func(t cellTallies) error { t.replace(was, r); return nil })
		// The links of each date kept move with the member: rebuilding them
		// would scan every member on the next chart after any write.
		if was != nil {
			sd.links.eachOn(func(d org.Date, idx linkIndex) { idx.count(was, d, -1) })
		}
		sd.links.eachOn(func(d org.Date, idx linkIndex) { idx.count(r, d, 1) })
		for _, id := range sd.g.putMember(*r) {
			changed[id] = struct{}{}
		}
	}
	err := sd.trees.each(func(t *tree.Tree) error { return sd.g.refresh(t, changed) })
	if err != nil {
		// A tree that cannot be refreshed is rebuilt from the records on next read.
		sd.trees.reset()
		log.Error("refreshing cached trees", "err", err)
	}
}

// txn is the org.Tx of one Update. It reads the active side, which only the
// writer holding writeMu could change, and never while it is active: no lock.
type txn struct {
	s         *Store
	g         *graph
	scenarios map[string]*scenarioEntry // committed
	st        staged
}

func (t *txn) Org(_ context.Context, id string) (org.OrgRecord, error) {
	if r := t.st.orgs[id]; r != nil {
		return r.Clone(), nil
	}
	if e := t.g.orgs[id]; e != nil {
		return e.rec.Clone(), nil
	}
	return org.OrgRecord{}, errOrgNotFound(id)
}

// ChartNodes reads the committed structure as the store does: nothing else
// writes it while the transaction holds the writers' lock.
func (t *txn) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	return t.s.ChartNodes(ctx, v, q, limit)
}

// Changes reads the committed history as the store does.
func (t *txn) Changes(ctx context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	return t.s.Changes(ctx, q)
}

func (t *txn) Member(_ context.Context, id string) (org.MemberRecord, error) {
	if r := t.st.members[id]; r != nil {
		return r.Clone(), nil
	}
	if e := t.g.members[id]; e != nil {
		return e.rec.Clone(), nil
	}
	return org.MemberRecord{}, errMemberNotFound(id)
}

// Audit stages an audit entry, written with the transaction's records.
func (t *txn) Audit(_ context.Context, e org.AuditEntry) error {
	t.st.audit = append(t.st.audit, e)
	return nil
}

// Audit appends an entry to the audit log, durable when it returns.
func (s *Store) Audit(_ context.Context, e org.AuditEntry) error {
	return s.db.Update(func(tx *bolt.Tx) error { return appendAudit(tx, []org.AuditEntry{e}) })
}

// AuditLog reads the audit log from disk, newest first.
func (s *Store) AuditLog(_ context.Context, q org.AuditQuery) (org.AuditPage, error) {
	var page org.AuditPage
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(auditBucket).Cursor()
		var k, v []byte
		if q.Before > 0 {
			k, _ = c.Seek(binary.BigEndian.AppendUint64(nil, uint64(q.Before)))
		}
		if k == nil {
			k, v = c.Last() // no cursor, or one past the newest entry
		} else {
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			if len(page.Entries) == q.First {
				page.HasNext = true
				break
			}
			var e org.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			page.Entries = append(page.Entries, e)
		}
		return nil
	})
	return page, err
}

// AuditCount is how many entries the audit log holds: they are numbered
// from 1 by the bucket's sequence (appendAudit) and never removed.
func (s *Store) AuditCount(context.Context) (int, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(auditBucket).Sequence()
		return nil
	})
	return int(n), err
}

// PutOrg stages r. Its Rev must be the one read (zero for a new record), so
// that a write built on a stale read fails instead of overwriting.
func (t *txn) PutOrg(_ context.Context, r org.OrgRecord) error {
	var committed int64
	if e := t.g.orgs[r.ID]; e != nil {
		committed = e.rec.Rev
	}
	return stage(t.st.orgs, r.ID, &r, func(r *org.OrgRecord) *int64 { return &r.Rev }, committed, org.WhatOrg)
}

func (t *txn) PutMember(_ context.Context, r org.MemberRecord) error {
	var committed int64
	if e := t.g.members[r.ID]; e != nil {
		committed = e.rec.Rev
	}
	return stage(t.st.members, r.ID, &r, func(r *org.MemberRecord) *int64 { return &r.Rev }, committed, org.WhatMember)
}

// stage puts r among the staged records if its rev is the current one, the
// staged record's or else the committed one's, and bumps it.
func stage[R any](staged map[string]*R, id string, r *R, rev func(*R) *int64, committed int64, what string) error {
	current := committed
	if s := staged[id]; s != nil {
		current = *rev(s)
	}
	if err := checkRev(what, id, *rev(r), current); err != nil {
		return err
	}
	*rev(r) = current + 1
	staged[id] = r
	return nil
}

func checkRev(what, id string, got, current int64) error {
	if got != current {
		return org.Stale(what, id)
	}
	return nil
}
