package memory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// Import loads a whole dataset into the empty store. It writes as it reads,
// in one bbolt transaction, and builds the graph alongside; a bad record rolls
// the transaction back, so a failed import writes nothing. The history, after
// the members, keeps its sequence numbers.
func (s *Store) Import(ctx context.Context, src org.RecordReader) (org.ImportStats, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if len(s.g.orgs) > 0 {
		return org.ImportStats{}, org.Errorf(org.EConflict, "kho dữ liệu đã có dữ liệu; chỉ nhập vào kho trống")
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return org.ImportStats{}, err
	}
	defer tx.Rollback() // after a commit, a no-op
	imp := newImporter(tx)
	if hr, ok := src.(org.HeadReader); ok {
		hr.HeadsOnly() // changes are stored as read and kept in memory as headers
	}
	stats, err := org.LoadDataset(ctx, src, imp)
	if err = errors.Join(err, imp.finish()); err != nil {
		return org.ImportStats{}, err
	}
	if err := tx.Commit(); err != nil {
		return org.ImportStats{}, fmt.Errorf("memory: import: %w", err)
	}
	s.mu.Lock()
	s.g = imp.g
	s.trees.reset()
	s.links.reset()
	s.mu.Unlock()
	return stats, nil
}

// importer writes a dataset to a bbolt transaction and builds its graph as
// batches arrive: one goroutine encodes and writes, another builds, while the
// caller reads and checks the next batch. Members must reach bbolt in key
// order: it splits nodes only at commit, so puts out of order in one
// transaction would each shift a node that grows to the whole bucket. They are
// written as they come while they come in key order, as exports write them;
// any others wait for the end, sorted.
type importer struct {
	orgTx   *bolt.Tx
	last    []byte // the key of the last member written
	pending []kv   // encoded members that came out of order, for the end
	drained bool
	g       *graph
	lists   listsToSort
	persist chan rawBatch
	build   chan []*org.MemberRecord
	done    sync.WaitGroup
	errMu   sync.Mutex
	err     error
}

// importQueue is how many batches may wait for each goroutine.
const importQueue = 2

func newImporter(tx *bolt.Tx) *importer {
	imp := &importer{g: newGraph(), lists: listsToSort{},
		persist: make(chan rawBatch, importQueue), build: make(chan []*org.MemberRecord, importQueue)}
	imp.done.Go(func() {
		for b := range imp.persist {
			if imp.failed() == nil {
				kvs, err := encodeAll(b.members, b.raw, func(r *org.MemberRecord) string { return r.ID })
				if err == nil {
					err = imp.write(kvs)
				}
				imp.fail(err)
			}
		}
	})
	imp.done.Go(func() {
		for batch := range imp.build {
			imp.g.addMembers(batch, imp.lists)
		}
	})
	imp.orgTx = tx
	return imp
}

func (imp *importer) fail(err error) {
	if err != nil {
		imp.errMu.Lock()
		imp.err = cmp.Or(imp.err, err)
		imp.errMu.Unlock()
	}
}

func (imp *importer) failed() error {
	imp.errMu.Lock()
	defer imp.errMu.Unlock()
	return imp.err
}

// Orgs writes the organisations before any member batch is queued, so the
// transaction is never used by two goroutines at once.
func (imp *importer) Orgs(orgs []*org.OrgRecord) error {
	for _, r := range orgs {
		imp.g.putOrg(*r)
	}
	return putAll(imp.orgTx.Bucket(orgBucket), orgs, func(r *org.OrgRecord) string { return r.ID })
}

// rawBatch is a batch of members with the JSON they were read from.
type rawBatch struct {
	members []*org.MemberRecord
	raw     [][]byte
}

func (imp *importer) Members(batch []*org.MemberRecord, raw [][]byte) error {
	imp.persist <- rawBatch{batch, raw}
	imp.build <- batch
	return imp.failed()
}

// write puts encoded members into bbolt now if they continue the key order,
// or keeps them for the end.
func (imp *importer) write(kvs []kv) error {
	if len(imp.pending) > 0 || !ascending(imp.last, kvs) {
		imp.pending = append(imp.pending, kvs...)
		return nil
	}
	b := imp.orgTx.Bucket(memberBucket)
	b.FillPercent = 0.95
	for _, e := range kvs {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	if len(kvs) > 0 {
		imp.last = kvs[len(kvs)-1].k
	}
	return nil
}

// ascending reports whether the keys of kvs rise from after last.
func ascending(last []byte, kvs []kv) bool {
	for _, e := range kvs {
		if bytes.Compare(last, e.k) >= 0 {
			return false
		}
		last = e.k
	}
	return true
}

// drain waits for both goroutines: after it, the transaction is the caller's alone.
func (imp *importer) drain() error {
	if !imp.drained {
		imp.drained = true
		close(imp.persist)
		close(imp.build)
		imp.done.Wait()
	}
	return imp.failed()
}

// finish writes the members that came out of order and sorts the lists.
func (imp *importer) finish() error {
	if err := imp.drain(); err != nil {
		return err
	}
	imp.lists.sort()
	return putSorted(imp.orgTx.Bucket(memberBucket), imp.pending)
}

// Changes writes the history, checked, and installs its headers; the
// sequence goes on after the highest number.
func (imp *importer) Changes(changes []*org.Change, raw [][]byte) error {
	if err := imp.drain(); err != nil || len(changes) == 0 {
		return err
	}
	kvs, err := encodeAll(changes, raw, func(c *org.Change) string { return string(seqKey(c.Seq)) })
	if err != nil {
		return err
	}
	b := imp.orgTx.Bucket(changeBucket)
	if err := putSorted(b, kvs); err != nil {
		return err
	}
	last := changes[len(changes)-1].Seq
	if err := b.SetSequence(uint64(last)); err != nil {
		return err
	}
	heads := make([]*org.Change, len(changes))
	for i, c := range changes {
		head := *c
		head.Before, head.After = nil, nil
		heads[i] = &head
	}
	imp.g.history.load(heads, last)
	return nil
}

// putAll encodes records on every core and writes them in key order.
func putAll[R any](b *bolt.Bucket, recs []R, id func(R) string) error {
	kvs, err := encodeAll(recs, nil, id)
	if err != nil {
		return err
	}
	return putSorted(b, kvs)
}

// encodeAll encodes records on every core, those with the JSON they were
// read from (raw[i], when raw is not nil) taking it as it is.
func encodeAll[R any](recs []R, raw [][]byte, id func(R) string) ([]kv, error) {
	kvs := make([]kv, len(recs))
	err := parallel(len(recs), func(i int) error {
		if raw != nil && raw[i] != nil {
			kvs[i] = kv{[]byte(id(recs[i])), raw[i]}
			return nil
		}
		v, err := encode(recs[i])
		kvs[i] = kv{[]byte(id(recs[i])), v}
		return err
	})
	return kvs, err
}

// putSorted writes key-value pairs in key order, filling bbolt's pages.
func putSorted(b *bolt.Bucket, kvs []kv) error {
	slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	b.FillPercent = 0.95
	for _, e := range kvs {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// kv is one encoded record.
type kv struct{ k, v []byte }

// Export writes every record, organisations then members, each in id order,
// then the history by sequence number. It copies the records under the read
// lock and writes them after releasing it, so a slow reader of the export
// does not hold up writers; the history, immutable, is read from disk in
// batches up to the last change committed when the records were copied.
func (s *Store) Export(ctx context.Context, dst org.RecordWriter) error {
	s.mu.RLock()
	lastSeq := s.g.history.last
	orgs := make([]org.OrgRecord, 0, len(s.g.orgs))
	for _, e := range s.g.orgs {
		orgs = append(orgs, e.rec)
	}
	members := make([]org.MemberRecord, 0, len(s.g.members))
	for _, e := range s.g.members {
		members = append(members, e.rec)
	}
	s.mu.RUnlock()
	slices.SortFunc(orgs, func(a, b org.OrgRecord) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(members, func(a, b org.MemberRecord) int { return cmp.Compare(a.ID, b.ID) })
	for i := range orgs {
		if err := dst.Write(org.Record{Org: &orgs[i]}); err != nil {
			return err
		}
	}
	for i := range members {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := dst.Write(org.Record{Member: &members[i]}); err != nil {
			return err
		}
	}
	return s.exportHistory(ctx, dst, lastSeq)
}

// exportBatch is how many changes one read transaction of an export holds:
// a read transaction open for a slow reader would hold up the file's growth.
const exportBatch = 256

func (s *Store) exportHistory(ctx context.Context, dst org.RecordWriter, last int64) error {
	for next := int64(1); next <= last; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []org.Change
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(changeBucket).Cursor()
			for k, v := c.Seek(seqKey(next)); k != nil && len(batch) < exportBatch; k, v = c.Next() {
				seq := int64(binary.BigEndian.Uint64(k))
				if seq > last {
					break
				}
				batch = append(batch, org.Change{})
				if err := json.Unmarshal(v, &batch[len(batch)-1]); err != nil {
					return fmt.Errorf("memory: change %d: %w", seq, err)
				}
				next = seq + 1
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for i := range batch {
			if err := dst.Write(org.Record{Change: &batch[i]}); err != nil {
				return err
			}
		}
	}
	return nil
}
