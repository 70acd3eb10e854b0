package memory

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The write-ahead log. A group of writes is durable once it is written to
// the log and the log is fsynced: one fdatasync of one short write, where a
// bbolt commit writes its pages, fsyncs them, then writes its meta page and
// fsyncs again (side by side on a loaded machine: 3.7 ms p50 for a bbolt
// commit of a write, 0.55 ms for the log's; BENCHMARKS.md). A checkpointer
// writes the logged groups to the bbolt file in the background, many in one bbolt
// transaction, durably. A crash loses nothing logged: Open writes what the
// file lacks, the groups numbered after the last one the file records
// (walBucket), before loading. The bbolt file is never written without its
// fsyncs, so it is always a whole committed state.
//
// The log's space is written once (walSize, zeros) and then written over,
// from the start again once the file has every group: a write that changes
// no size or allocation is fsynced without a journal commit, which would
// wait for the bbolt file's own writes.
//
// Each record is a group: its payload's length and CRC-32C (of the number
// and the payload), its number, then the payload, a list of bbolt
// operations. Numbers follow each other; the log ends at the first record
// that is damaged (cut short by a crash), numbered out of turn, or older
// than the file (left from before the log started over).

// walSuffix names the log after the database file.
const walSuffix = "-wal"

// walSize is the space the log is given when created. A group that does not
// fit grows the file.
const walSize = 8 << 20

// walRestartAt is the offset from which the log starts over once the file
// has all of it; a variable so that tests can make the log start over often.
var walRestartAt int64 = 4 << 20

// checkpointEvery spaces the background checkpoints, so that under a stream
// of writes one bbolt commit writes many groups.
const checkpointEvery = 200 * time.Millisecond

var (
	walBucket  = []byte("wal")
	walApplied = []byte("applied") // the number of the last group in the file
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

const walHeader = 4 + 4 + 8

// The operations of a payload.
const (
	opPut byte = iota
	// opRaise raises a bucket's sequence to at least a number.
	opRaise
)

// wal is the log file; the Store's persistMu guards it.
type wal struct {
	f    *os.File
	size int64  // where the next record goes
	next uint64 // the number of the next group
}

// append writes one group and fsyncs it. A failure takes the log back to
// what it held.
func (w *wal) append(payload []byte) error {
	rec := make([]byte, walHeader, walHeader+len(payload))
	binary.BigEndian.PutUint32(rec[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint64(rec[8:16], w.next)
	rec = append(rec, payload...)
	binary.BigEndian.PutUint32(rec[4:8], crc32.Checksum(rec[8:], castagnoli))
	_, err := w.f.WriteAt(rec, w.size)
	if err == nil {
		err = fdatasync(w.f)
	}
	if err != nil {
		// The record's number is given again to the next group: a record
		// partly written would be taken for it. If zeroing its header
		// fails too (a full disk), the next group is written over it, and
		// once one succeeds the log is sound again, without a restart.
		_, _ = w.f.WriteAt(make([]byte, walHeader), w.size)
		return err
	}
	w.size += int64(len(rec))
	w.next++
	return nil
}

// loggedGroup is a group in the log, not yet in the file.
type loggedGroup struct {
	n       uint64
	payload []byte
	changes []int64 // the numbers of its changes
}

// checkpointer writes logged groups to the bbolt file.
type checkpointer struct {
	mu sync.Mutex // one checkpoint at a time
	// pendingMu guards pending, the groups logged and not yet in the file,
	// in order, and changes, their changes' records by number: the history
	// reads them from here rather than have the file written first.
	pendingMu sync.Mutex
	pending   []loggedGroup
	changes   map[int64][]byte
	wake      chan struct{}
	stop      chan struct{}
	stopped   chan struct{}
}

// openWAL replays into db the groups of the log at path that db lacks and
// returns the log, ready for the next group. The log of a fresh file is
// emptied first: one left beside it belongs to a file moved away.
func openWAL(db *bolt.DB, path string, fresh bool) (*wal, error) {
	if fresh {
		if err := os.Truncate(path, 0); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("memory: write-ahead log: %w", err)
		}
	}
	f, err := createWAL(path)
	if err != nil {
		return nil, fmt.Errorf("memory: write-ahead log: %w", err)
	}
	w := &wal{f: f}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(walBucket)
		if err != nil {
			return err
		}
		applied := uint64(0)
		if v := b.Get(walApplied); len(v) == 8 {
			applied = binary.BigEndian.Uint64(v)
		}
		w.next = applied + 1
		log, err := io.ReadAll(io.NewSectionReader(f, 0, math.MaxInt64))
		if err != nil {
			return err
		}
		at := 0
		for {
			n, payload, size, ok := parseRecord(log[at:])
			if !ok || n > w.next {
				break // the end, or what a crash cut short
			}
			at += size
			if n < w.next {
				continue // in the file already
			}
			if err := applyOps(tx, payload); err != nil {
				return fmt.Errorf("group %d: %w", n, err)
			}
			w.next++
		}
		// A crash cuts short only the group being written, with nothing
		// newer after it; a sound group the file lacks past the end is
		// damage in the middle of the log, and serving without the
		// acknowledged writes from there on would be wrong.
		if n, off, found := laterGroup(log, at, w.next); found {
			return &DamagedError{Path: path, Reason: fmt.Sprintf("its record at byte %d is unreadable or out of turn, "+
				"and group %d, which the store file lacks, follows at byte %d", at, n, off)}
		}
		return b.Put(walApplied, binary.BigEndian.AppendUint64(nil, w.next-1))
	})
	if damaged := (*DamagedError)(nil); errors.As(err, &damaged) {
		f.Close()
		return nil, damaged
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("memory: replay the write-ahead log: %w", err)
	}
	return w, nil // the file has every group: the log starts over
}

// createWAL opens the log at path, first giving it its space, durably, with
// its name in the directory, if it has less.
func createWAL(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() < walSize {
		_, err = f.WriteAt(make([]byte, walSize-fi.Size()), fi.Size())
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = syncDir(filepath.Dir(path))
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// parseRecord reads the whole, sound record at the start of log, and its
// size in the log.
func parseRecord(log []byte) (n uint64, payload []byte, size int, ok bool) {
	if len(log) < walHeader {
		return 0, nil, 0, false
	}
	length := binary.BigEndian.Uint32(log[0:4])
	if uint64(length) > uint64(len(log)-walHeader) {
		return 0, nil, 0, false
	}
	rec := log[8 : walHeader+int(length)]
	if crc32.Checksum(rec, castagnoli) != binary.BigEndian.Uint32(log[4:8]) {
		return 0, nil, 0, false
	}
	return binary.BigEndian.Uint64(log[8:16]), rec[8:], walHeader + int(length), true
}

// laterGroup finds, at any byte from at on, a sound record numbered next or
// later (and no later than the log could hold): a group the file lacks.
func laterGroup(log []byte, at int, next uint64) (n uint64, off int, found bool) {
	most := next + uint64(len(log)/walHeader)
	for off = at; off+walHeader <= len(log); off++ {
		if n := binary.BigEndian.Uint64(log[off+8 : off+16]); n < next || n > most {
			continue
		}
		if n, _, _, ok := parseRecord(log[off:]); ok {
			return n, off, true
		}
	}
	return 0, 0, false
}

// encodeGroup is the payload of the staged writes of one group, in order:
// the records, changes, scenarios and audit entries they put. Audit entries
// are numbered here, after *auditSeq, which it advances.
func encodeGroup(sts []*staged, auditSeq *uint64) ([]byte, error) {
	var p payload
	for _, st := range sts {
		for _, id := range slices.Sorted(maps.Keys(st.orgs)) {
			p.encode(orgBucket, []byte(id), st.orgs[id])
		}
		for _, id := range slices.Sorted(maps.Keys(st.members)) {
			p.encode(memberBucket, []byte(id), st.members[id])
		}
		for _, c := range st.changes {
			p.put(changeBucket, seqKey(c.head.Seq), c.value)
		}
		if n := len(st.changes); n > 0 {
			p.raise(changeBucket, uint64(st.changes[n-1].head.Seq))
		}
		for _, c := range st.rescoped {
			p.put(changeBucket, seqKey(c.head.Seq), c.value)
		}
		for _, id := range slices.Sorted(maps.Keys(st.scenarios)) {
			p.put(scenarioBucket, []byte(id), st.scenarios[id].value)
		}
		for _, e := range st.audit {
			*auditSeq++
			e.Seq = int64(*auditSeq)
			p.encode(auditBucket, seqKey(e.Seq), e)
		}
		if len(st.audit) > 0 {
			p.raise(auditBucket, *auditSeq)
		}
	}
	return p.b, p.err
}

// payload builds a group's operations, with the first error met.
type payload struct {
	b   []byte
	err error
}

func (p *payload) encode(bucket, k []byte, v any) {
	b, err := encode(v)
	if err != nil {
		p.err = cmp.Or(p.err, err)
		return
	}
	p.put(bucket, k, b)
}

// put adds a put, refused here if bbolt would refuse it: a group in the log
// must be one the checkpoint can write.
func (p *payload) put(bucket, k, v []byte) {
	switch {
	case len(k) == 0 || len(k) > bolt.MaxKeySize:
		p.err = cmp.Or(p.err, fmt.Errorf("memory: a key of %d bytes", len(k)))
	case len(v) > bolt.MaxValueSize:
		p.err = cmp.Or(p.err, fmt.Errorf("memory: a value of %d bytes", len(v)))
	}
	p.b = append(p.b, opPut)
	p.b = appendBytes(p.b, bucket)
	p.b = appendBytes(p.b, k)
	p.b = appendBytes(p.b, v)
}

func (p *payload) raise(bucket []byte, seq uint64) {
	p.b = append(p.b, opRaise)
	p.b = appendBytes(p.b, bucket)
	p.b = binary.AppendUvarint(p.b, seq)
}

func appendBytes(p, b []byte) []byte {
	return append(binary.AppendUvarint(p, uint64(len(b))), b...)
}

var errBadPayload = errors.New("a damaged group")

// applyOps applies a payload's operations in tx.
func applyOps(tx *bolt.Tx, p []byte) error {
	next := func() []byte {
		n, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < n {
			p = nil
			return nil
		}
		b := p[k : k+int(n)]
		p = p[k+int(n):]
		return b
	}
	for len(p) > 0 {
		op := p[0]
		p = p[1:]
		b := tx.Bucket(next())
		if b == nil {
			return errBadPayload
		}
		switch op {
		case opPut:
			k, v := next(), next()
			if k == nil || v == nil {
				return errBadPayload
			}
			if err := b.Put(k, v); err != nil {
				return err
			}
		case opRaise:
			seq, k := binary.Uvarint(p)
			if k <= 0 {
				return errBadPayload
			}
			p = p[k:]
			if err := b.SetSequence(max(b.Sequence(), seq)); err != nil {
				return err
			}
		default:
			return errBadPayload
		}
	}
	return nil
}

// logGroup makes the staged writes of a group durable in the log and hands
// them to the checkpointer; the caller holds persistMu.
func (s *Store) logGroup(sts []*staged) error {
	seq := s.auditSeq
	payload, err := encodeGroup(sts, &seq)
	if err != nil {
		return err
	}
	n := s.wal.next
	if err := s.wal.append(payload); err != nil {
		return err
	}
	s.auditSeq = seq
	c := &s.ckpt
	g := loggedGroup{n: n, payload: payload}
	c.pendingMu.Lock()
	for _, st := range sts {
		for _, ch := range slices.Concat(st.changes, st.rescoped) {
			c.changes[ch.head.Seq] = ch.value
			g.changes = append(g.changes, ch.head.Seq)
		}
	}
	c.pending = append(c.pending, g)
	c.pendingMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

// loggedChanges is a copy of the records of the changes logged and not yet
// in the file, by number. A reader takes it before it reads the file: a
// change the checkpointer moves meanwhile is in one or the other. Their
// numbers are above those of every change in the file, but for the changes
// rewritten (Rescope), whose newer record is read here first.
func (s *Store) loggedChanges() map[int64][]byte {
	c := &s.ckpt
	c.pendingMu.Lock()
	defer c.pendingMu.Unlock()
	return maps.Clone(c.changes)
}

// checkpoint writes every group logged so far to the file, in one bbolt
// transaction, and starts the log over once it holds enough that the file
// has. Readers of what only the file holds (the audit log, an export) call
// it first, so that they read every write that returned.
func (s *Store) checkpoint() error {
	c := &s.ckpt
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pendingMu.Lock()
	groups := slices.Clone(c.pending)
	c.pendingMu.Unlock()
	if len(groups) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, g := range groups {
			if err := applyOps(tx, g.payload); err != nil {
				return fmt.Errorf("group %d: %w", g.n, err)
			}
		}
		return tx.Bucket(walBucket).Put(walApplied, binary.BigEndian.AppendUint64(nil, groups[len(groups)-1].n))
	})
	if err != nil {
		return fmt.Errorf("memory: checkpoint: %w", err)
	}
	c.pendingMu.Lock()
	c.pending = c.pending[len(groups):]
	// A change a group still pending rewrote (Rescope) keeps its newer record.
	later := map[int64]bool{}
	for _, g := range c.pending {
		for _, seq := range g.changes {
			later[seq] = true
		}
	}
	for _, g := range groups {
		for _, seq := range g.changes {
			if !later[seq] {
				delete(c.changes, seq)
			}
		}
	}
	left := len(c.pending)
	c.pendingMu.Unlock()
	if left > 0 {
		return nil
	}
	s.persistMu.Lock() // no group is appended meanwhile
	defer s.persistMu.Unlock()
	c.pendingMu.Lock()
	left = len(c.pending)
	c.pendingMu.Unlock()
	if left == 0 && s.wal.size >= walRestartAt {
		s.wal.size = 0
	}
	return nil
}

// runCheckpoints checkpoints in the background whenever groups are logged,
// until Close.
func (s *Store) runCheckpoints() {
	c := &s.ckpt
	defer close(c.stopped)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		if err := s.checkpoint(); err != nil {
			s.log.Error("writing the write-ahead log to the database file", "err", err)
			if s.fileFailing.Load() == nil {
				s.fileFailing.Store(&writeFailure{since: time.Now(), err: errFileFull})
			}
		} else {
			s.fileFailing.Store(nil)
		}
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
	}
}
