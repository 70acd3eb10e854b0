package memory

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"syscall"
	"time"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// Update runs fn with exclusive write access. fn reads the committed records
// plus its own staged writes; if it succeeds, its writes are logged (fsync)
// and then published in memory, so readers see all of them or none.
//
// Writers share fsyncs (group commit): fn runs under writeMu and queues what
// it staged, and the next writer may run while it is written. A queued write
// is not yet for readers, but the next writers read it (txn), since they
// commit after it: they see the committed records and the queued ones. The
// writes queued while one group is written are written together, in one
// transaction and one fsync, then published in the order their writers ran;
// each Update returns once its write is both durable and published.
func (s *Store) Update(ctx context.Context, fn func(org.Tx) error) error {
	c, err := s.stage(ctx, fn)
	if c == nil {
		return err
	}
	s.persistQueued()
	s.publishDurable()
	<-c.done
	return c.err
}

// stage runs fn and queues what it staged, if anything (nil otherwise).
func (s *Store) stage(ctx context.Context, fn func(org.Tx) error) (*commit, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tx := s.newTxn(true)
	defer tx.release()
	if err := fn(tx); err != nil || tx.st.empty() {
		return nil, err
	}
	if s.unloaded && len(tx.st.audit) != tx.st.size() {
		return nil, errUnloaded
	}
	return s.enqueue(tx)
}

// commit is one Update's writes on their way to the file, then to readers.
type commit struct {
	st staged
	// durable is set once the write is in the file (guarded by qMu).
	durable bool
	// err is why the write failed, set before done is closed.
	err  error
	done chan struct{}
}

// enqueue queues what tx staged, unless it read a queued write that failed
// since; the caller holds writeMu.
func (s *Store) enqueue(tx *txn) (*commit, error) {
	s.qMu.Lock()
	defer s.qMu.Unlock()
	for _, c := range tx.pending {
		if c.err != nil {
			return nil, c.err
		}
	}
	c := &commit{st: tx.st, done: make(chan struct{})}
	s.queue = append(s.queue, c)
	return c, nil
}

// persistQueued writes every queued write not yet written, in one
// transaction: those queued while the last group was written share its
// fsync. After a failure it writes nothing until publishDurable has failed
// every write queued, which may have read the writes that failed.
func (s *Store) persistQueued() {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.qMu.Lock()
	var group []*commit
	var sts []*staged
	for _, c := range s.queue {
		if !c.durable {
			group, sts = append(group, c), append(sts, &c.st)
		}
	}
	broken := s.broken != nil
	s.qMu.Unlock()
	if len(group) == 0 || broken {
		return
	}
	err := s.logGroup(sts)
	s.qMu.Lock()
	defer s.qMu.Unlock()
	if err != nil {
		s.broken = persistFailure(s.log, err)
		if s.failing.Load() == nil {
			s.failing.Store(&writeFailure{since: time.Now(), err: s.broken})
		}
		return
	}
	s.failing.Store(nil)
	for _, c := range group {
		c.durable = true
	}
}

// writeFailure is why writes fail and since when.
type writeFailure struct {
	since time.Time
	err   error
}

// errFileFull is the failure to write the log into the file: writes still
// succeed, into the log's space, until it is full.
var errFileFull = org.Errorf(org.EUnavailable, "Không ghi được vào tệp dữ liệu (đĩa đầy hoặc lỗi thiết bị): các thao tác vẫn được ghi vào nhật ký ghi trước cho đến khi nhật ký đầy, sau đó sẽ bị từ chối.")

// WriteFailure tells why writes fail now (a full disk, a failing device),
// or why the log cannot be written into the file, which makes them fail
// once the log is full, and since when, while reads are served; nil once a
// write, or the log's next copy into the file, succeeds again.
func (s *Store) WriteFailure() (since time.Time, err error) {
	if f := s.failing.Load(); f != nil {
		return f.since, f.err
	}
	if f := s.fileFailing.Load(); f != nil {
		return f.since, f.err
	}
	return time.Time{}, nil
}

// publishDurable publishes the durable writes at the head of the queue until
// none is left, then, after a failure to write, fails every write queued (none
// is durable: nothing is written after a failure until then); the writers of
// both learn it.
func (s *Store) publishDurable() {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	for {
		s.qMu.Lock()
		n := 0
		for n < len(s.queue) && s.queue[n].durable {
			n++
		}
		group := slices.Clone(s.queue[:n])
		if n == 0 && s.broken != nil {
			group = s.queue
			for _, c := range group {
				c.err = s.broken
			}
			s.queue, s.broken = nil, nil
		}
		s.qMu.Unlock()
		if len(group) == 0 {
			return
		}
		if group[0].err == nil {
			s.publish(group)
		}
		for _, c := range group {
			close(c.done)
		}
	}
}

// flush writes and publishes every queued write; the caller holds writeMu,
// so that no other is queued meanwhile.
func (s *Store) flush() {
	s.persistQueued()
	s.publishDurable()
}

// publish applies the committed writes of group, the head of the queue, to
// the inactive side and makes that side the active one, taking them off the
// queue at the same time. The side it leaves gets the writes in the
// background, once the readers it still has let go of it: the next publisher
// waits for that only if it comes before. The caller holds pubMu.
func (s *Store) publish(group []*commit) {
	s.settle()
	next := s.inactive()
	next.mu.Lock() // no reader waits: next is not the active side
	for _, c := range group {
		next.apply(&c.st, s.log)
	}
	next.mu.Unlock()
	s.qMu.Lock()
	prev := s.active.Swap(next)
	s.queue = s.queue[len(group):]
	s.qMu.Unlock()
	s.catchUp(prev, func() {
		for _, c := range group {
			prev.apply(&c.st, s.log)
		}
	})
	signal := false
	for _, c := range group {
		if len(c.st.orgs)+len(c.st.members) > 0 {
			s.revision.Add(1)
		}
		signal = signal || len(c.st.changes) > 0
	}
	if signal {
		s.signalCommit()
	}
}

// View runs fn like Update and discards what it staged. It holds the
// writers' lock, and reads the active side as published, without the writes
// queued.
func (s *Store) View(ctx context.Context, fn func(org.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := s.newTxn(false)
	defer tx.release()
	return fn(tx)
}

// newTxn holds the active side for reading, with the writes queued if
// queued: both taken at once, they are the state every later write builds
// on. The caller holds writeMu.
func (s *Store) newTxn(queued bool) *txn {
	t := &txn{s: s, st: staged{orgs: map[string]*org.OrgRecord{}, members: map[string]*org.MemberRecord{}}, queued: queued}
	t.acquire()
	return t
}

// acquire holds the active side and takes the queue with it. Under qMu the
// active side is never held by a writer nor awaited by one (a side is written
// only while inactive, and becomes active again only once caught up), so
// RLock does not wait.
func (t *txn) acquire() {
	t.s.qMu.Lock()
	defer t.s.qMu.Unlock()
	t.sd = t.s.active.Load()
	t.sd.mu.RLock()
	t.g, t.scenarios = t.sd.g, t.sd.scenarios
	if t.queued {
		t.pending = slices.Clone(t.s.queue)
	}
}

// release lets go of the side.
func (t *txn) release() {
	if t.sd != nil {
		t.sd.mu.RUnlock()
		t.sd = nil
	}
}

// settleQueue, for a read that sees only published writes (the history, a
// chart), writes and publishes the queued writes first, then reads the side
// that has them. It fails when one of them failed: this transaction read it.
func (t *txn) settleQueue() error {
	if len(t.pending) == 0 {
		return nil
	}
	t.release() // the publisher may wait for the readers of this side
	t.s.flush()
	for _, c := range t.pending {
		if c.err != nil {
			t.acquire()
			return c.err
		}
	}
	t.acquire()
	return nil
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
	for _, c := range st.rescoped {
		sd.g.history.replace(c.head)
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

// txn is the org.Tx of one Update or View. It holds a side for reading, the
// one active when it began, and sees the writes queued then (pending) over
// it: what writers before it wrote, published or not.
type txn struct {
	s         *Store
	sd        *side
	g         *graph
	scenarios map[string]*scenarioEntry // published
	queued    bool
	pending   []*commit
	st        staged
}

// writes are the queued writes this transaction sees, then its own.
func (t *txn) writes() []*staged {
	out := make([]*staged, 0, len(t.pending)+1)
	for _, c := range t.pending {
		out = append(out, &c.st)
	}
	return append(out, &t.st)
}

// queuedOrg, queuedMember and queuedScenario are the latest queued write of
// a record, nil if none.
func (t *txn) queuedOrg(id string) *org.OrgRecord {
	for i := len(t.pending) - 1; i >= 0; i-- {
		if r := t.pending[i].st.orgs[id]; r != nil {
			return r
		}
	}
	return nil
}

func (t *txn) queuedMember(id string) *org.MemberRecord {
	for i := len(t.pending) - 1; i >= 0; i-- {
		if r := t.pending[i].st.members[id]; r != nil {
			return r
		}
	}
	return nil
}

func (t *txn) queuedScenario(id string) *scenarioEntry {
	for i := len(t.pending) - 1; i >= 0; i-- {
		if e := t.pending[i].st.scenarios[id]; e != nil {
			return e
		}
	}
	return nil
}

func (t *txn) Org(_ context.Context, id string) (org.OrgRecord, error) {
	if r := t.st.orgs[id]; r != nil {
		return r.Clone(), nil
	}
	if r := t.queuedOrg(id); r != nil {
		return r.Clone(), nil
	}
	if e := t.g.orgs[id]; e != nil {
		return e.rec.Clone(), nil
	}
	return org.OrgRecord{}, errOrgNotFound(id)
}

// ChartNodes reads the committed structure, the queued writes published
// first.
func (t *txn) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.settleQueue(); err != nil {
		return nil, err
	}
	return t.sd.chartNodes(ctx, v, q, limit)
}

// Changes reads the committed history; queued changes it would list are
// published first.
func (t *txn) Changes(_ context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	for _, c := range t.pending {
		if len(c.st.rescoped) > 0 || slices.ContainsFunc(c.st.changes, func(sc stagedChange) bool { return q.Matches(sc.head) }) {
			if err := t.settleQueue(); err != nil {
				return org.ChangePage{}, err
			}
			break
		}
	}
	seqs, more, err := t.sd.changePage(&q)
	if err != nil {
		return org.ChangePage{}, err
	}
	changes, err := t.s.readChanges(seqs)
	return org.ChangePage{Changes: changes, HasNext: more}, err
}

func (t *txn) Member(_ context.Context, id string) (org.MemberRecord, error) {
	if r := t.st.members[id]; r != nil {
		return r.Clone(), nil
	}
	if r := t.queuedMember(id); r != nil {
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

// Audit appends an entry to the audit log, durable when it returns: a write
// of its own, numbered in order with the others.
func (s *Store) Audit(ctx context.Context, e org.AuditEntry) error {
	return s.Update(ctx, func(tx org.Tx) error { return tx.Audit(ctx, e) })
}

// AuditLog reads the audit log from disk, newest first.
func (s *Store) AuditLog(_ context.Context, q org.AuditQuery) (org.AuditPage, error) {
	var page org.AuditPage
	if err := s.checkpoint(); err != nil {
		return page, err
	}
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
	if err := s.checkpoint(); err != nil {
		return 0, err
	}
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
	if q := t.queuedOrg(r.ID); q != nil {
		committed = q.Rev
	} else if e := t.g.orgs[r.ID]; e != nil {
		committed = e.rec.Rev
	}
	return stage(t.st.orgs, r.ID, &r, func(r *org.OrgRecord) *int64 { return &r.Rev }, committed, org.WhatOrg)
}

func (t *txn) PutMember(_ context.Context, r org.MemberRecord) error {
	var committed int64
	if q := t.queuedMember(r.ID); q != nil {
		committed = q.Rev
	} else if e := t.g.members[r.ID]; e != nil {
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

// persistFailure is what writers learn when their group could not be
// written. A full disk or a failing device is a state of the machine, not a
// fault of the request: UNAVAILABLE, and nothing of the write was kept; the
// operator reads the cause in the log. Anything else is internal.
func persistFailure(log *slog.Logger, err error) error {
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EROFS, syscall.EFBIG} {
		if errors.Is(err, e) {
			log.Error("writing a group of writes to the store failed", "err", err)
			return org.Errorf(org.EUnavailable, "Kho dữ liệu tạm thời không ghi được (đĩa đầy hoặc lỗi thiết bị): thao tác chưa được thực hiện, hãy thử lại sau.")
		}
	}
	return fmt.Errorf("memory: persist: %w", err)
}
