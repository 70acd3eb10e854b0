package memory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

// Import loads a whole dataset into the empty store, building the graph as
// it reads. It writes as it reads too, committing every importChunk bytes so
// that writing to disk overlaps reading and the pages of one commit serve the
// next; a mark set before the first commit and cleared by the last makes the
// import all or nothing all the same: a bad record, or a crash, discards
// what it wrote (on the next Open, after a crash). The history, after the
// members, keeps its sequence numbers. A store opened by OpenForImport only
// writes the file.
func (s *Store) Import(ctx context.Context, src org.RecordReader) (org.ImportStats, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.flush()
	if s.unloaded || len(s.active.Load().g.orgs) > 0 {
		return org.ImportStats{}, org.ErrNotEmpty
	}
	if err := s.checkpoint(); err != nil { // the import writes the file itself
		return org.ImportStats{}, err
	}
	// What the buckets hold, if anything, is what an import that failed to
	// discard it wrote: the store is empty.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := clearImport(tx); err != nil {
			return err
		}
		_, err := tx.CreateBucket(importBucket)
		return err
	}); err != nil {
		return org.ImportStats{}, fmt.Errorf("memory: import: %w", err)
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return org.ImportStats{}, errors.Join(fmt.Errorf("memory: import: %w", err), s.discardImport())
	}
	imp := newImporter(s.db, tx, !s.fileOnly)
	if hr, ok := src.(dataset.HeadReader); ok {
		hr.HeadsOnly() // changes are stored as read and kept in memory as headers
	}
	stats, err := dataset.Load(ctx, src, imp)
	if err = errors.Join(err, imp.finish()); err == nil {
		err = imp.commit()
	}
	if err != nil {
		_ = imp.tx.Rollback() // after a commit, or after one failed, a no-op
		if derr := s.discardImport(); derr != nil {
			err = errors.Join(err, derr)
		}
		return org.ImportStats{}, err
	}
	s.revision.Add(1)
	if s.fileOnly {
		s.unloaded = true
		return stats, nil
	}
	s.install(imp.g, s.active.Load().scenarios)
	s.dropMapped()
	return stats, nil
}

// OpenForImport opens the store in dir for `dangbo import`: one import, its
// audit entry, and Close. Its Import writes the dataset to the file and
// builds no graph in memory: whoever opens the store next builds it from
// the file, as after a restart, so building it here as well was two fifths
// of the import's CPU and most of its memory. After such an import, the
// store refuses any write but an audit entry, and reads find it empty.
// Records of an older form are not rewritten: the import replaces them.
func OpenForImport(dir string, log *slog.Logger) (*Store, error) {
	s, err := openDir(dir, log, false)
	if s != nil {
		s.fileOnly = true
	}
	return s, err
}

// errUnloaded refuses a write to a store whose import wrote only the file.
var errUnloaded = errors.New("memory: the store holds an import it did not load; open it again")

// importBucket exists while an import is under way.
var importBucket = []byte("import")

// importChunk is how many bytes of records an import writes per commit; a
// variable so that tests can make imports commit often.
var importChunk = 32 << 20

// discardImport empties what an import wrote and removes its mark.
func (s *Store) discardImport() error {
	return s.db.Update(clearImport)
}

// clearImport recreates empty the buckets an import fills (an import starts
// from an empty store) and removes the mark, and the one that the yearly
// facts are dated: the next Open dates those of a dataset an earlier version
// exported (datefacts.go).
func clearImport(tx *bolt.Tx) error {
	if err := undate(tx); err != nil {
		return err
	}
	for _, b := range [][]byte{orgBucket, memberBucket, changeBucket} {
		if tx.Bucket(b) != nil {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	if tx.Bucket(importBucket) == nil {
		return nil
	}
	return tx.DeleteBucket(importBucket)
}

// discardInterruptedImport discards what an import that did not end wrote,
// and reports whether there was one.
func discardInterruptedImport(db *bolt.DB) (bool, error) {
	interrupted := false
	err := db.Update(func(tx *bolt.Tx) error {
		if interrupted = tx.Bucket(importBucket) != nil; !interrupted {
			return nil
		}
		return clearImport(tx)
	})
	return interrupted, err
}

// importer writes a dataset to bbolt and builds its graph as batches arrive:
// one goroutine encodes and writes, another builds, while the caller reads
// and checks the next batch. Members must reach bbolt in key order: it splits
// nodes only at commit, so puts out of order in one transaction would each
// shift a node that grows to the whole bucket. They are written as they come
// while they come in key order, as exports write them; any others wait for
// the end, sorted. The transaction passes from the caller (organisations) to
// the writing goroutine (members, then the history; it commits every
// importChunk bytes and goes on in a new one) and back once that goroutine is
// done.
type importer struct {
	db      *bolt.DB
	tx      *bolt.Tx
	written int           // bytes written in tx
	last    []byte        // the key of the last member written
	pending []kv          // encoded members that came out of order, for the end
	heads   []*org.Change // of the history, for the graph
	lastSeq int64         // of the last change written
	drained bool
	g       *graph // nil when the import only writes the file
	lists   listsToSort
	persist chan putBatch
	build   chan []*org.MemberRecord
	done    sync.WaitGroup
	errMu   sync.Mutex
	err     error
}

// importQueue is how many batches may wait for each goroutine.
const importQueue = 2

// newImporter starts the goroutines of an import into tx, building a graph
// when withGraph is set.
func newImporter(db *bolt.DB, tx *bolt.Tx, withGraph bool) *importer {
	imp := &importer{db: db, tx: tx, lists: listsToSort{},
		persist: make(chan putBatch, importQueue), build: make(chan []*org.MemberRecord, importQueue)}
	if withGraph {
		imp.g = newGraph()
	}
	imp.done.Go(func() {
		for b := range imp.persist {
			if imp.failed() == nil {
				kvs, err := b.encode()
				if err == nil {
					err = imp.write(b.bucket, kvs)
				}
				imp.fail(err)
			}
		}
	})
	imp.done.Go(func() {
		for batch := range imp.build {
			if imp.g != nil {
				imp.g.addMembers(batch, imp.lists)
			}
		}
	})
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
		if imp.g != nil {
			imp.g.putOrg(*r)
		}
	}
	return putAll(imp.tx.Bucket(orgBucket), orgs, func(r *org.OrgRecord) string { return r.ID })
}

// putBatch is a batch of records for the writing goroutine, which encodes
// them (taking the JSON they were read from where it can) and writes them to
// their bucket.
type putBatch struct {
	bucket []byte
	encode func() ([]kv, error)
}

// Members has a batch of members written; the JSON they were read from is
// not kept: they are stored in the binary form (codec.go).
func (imp *importer) Members(batch []*org.MemberRecord, _ [][]byte) error {
	imp.persist <- putBatch{memberBucket, func() ([]kv, error) {
		return encodeAll(batch, nil, func(r *org.MemberRecord) string { return r.ID })
	}}
	if imp.g != nil {
		imp.build <- batch
	}
	return imp.failed()
}

// Changes has the next batch of the history written, in sequence order, and
// keeps its headers for the graph.
func (imp *importer) Changes(changes []*org.Change, raw [][]byte) error {
	imp.persist <- putBatch{changeBucket, func() ([]kv, error) {
		return encodeAll(changes, raw, func(c *org.Change) string { return string(seqKey(c.Seq)) })
	}}
	if len(changes) > 0 {
		imp.lastSeq = changes[len(changes)-1].Seq
	}
	if imp.g == nil {
		return imp.failed()
	}
	for _, c := range changes {
		head := *c
		head.Before, head.After = nil, nil
		imp.heads = append(imp.heads, &head)
	}
	return imp.failed()
}

// write puts encoded records into their bucket, members now if they continue
// the key order or at the end otherwise (a history comes in order), and
// commits once importChunk bytes are written since the last commit.
func (imp *importer) write(bucket []byte, kvs []kv) error {
	members := bytes.Equal(bucket, memberBucket)
	if members && (len(imp.pending) > 0 || !ascending(imp.last, kvs)) {
		imp.pending = append(imp.pending, kvs...)
		return nil
	}
	b := imp.tx.Bucket(bucket)
	b.FillPercent = 0.95
	for _, e := range kvs {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
		imp.written += len(e.v)
	}
	if members && len(kvs) > 0 {
		imp.last = kvs[len(kvs)-1].k
	}
	if imp.written < importChunk {
		return nil
	}
	imp.written = 0
	if err := imp.tx.Commit(); err != nil {
		return err
	}
	tx, err := imp.db.Begin(true)
	if err == nil {
		imp.tx = tx
	}
	return err
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

// finish writes the members that came out of order, sorts the lists and
// installs the history's headers; the sequence goes on after the highest
// number.
func (imp *importer) finish() error {
	if err := imp.drain(); err != nil {
		return err
	}
	imp.lists.sort()
	if err := putSorted(imp.tx.Bucket(memberBucket), imp.pending); err != nil {
		return err
	}
	if imp.lastSeq == 0 {
		return nil
	}
	if imp.g != nil {
		imp.g.history.load(imp.heads, imp.lastSeq)
	}
	return imp.tx.Bucket(changeBucket).SetSequence(uint64(imp.lastSeq))
}

// commit ends the import: its last records and the removal of its mark
// commit together.
func (imp *importer) commit() error {
	if err := imp.tx.DeleteBucket(importBucket); err != nil {
		return err
	}
	return imp.tx.Commit()
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
// then the history by sequence number. It copies the records from the active
// side and writes them after letting go of it, so a slow reader of the export
// does not hold up the next writer; the history, immutable, is read from disk in
// batches up to the last change committed when the records were copied.
func (s *Store) Export(ctx context.Context, dst org.RecordWriter) error {
	sd := s.read()
	lastSeq := sd.g.history.last
	orgs := make([]org.OrgRecord, 0, len(sd.g.orgs))
	for _, e := range sd.g.orgs {
		orgs = append(orgs, e.rec)
	}
	members := make([]org.MemberRecord, 0, len(sd.g.members))
	for _, e := range sd.g.members {
		members = append(members, e.rec)
	}
	sd.mu.RUnlock()
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
	if err := s.checkpoint(); err != nil {
		return err
	}
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
