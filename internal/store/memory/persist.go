package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// One bucket per record type, keyed by id; a record is stored whole, so a
// write replaces whole records and a crash leaves either the old or the new.
// Members and organisations are in the binary form of codec.go (older files
// hold JSON ones, still read); the rest is JSON, decoded with goccy/go-json.
var (
	orgBucket    = []byte("orgs")
	memberBucket = []byte("members")
	// The audit log is kept in the same file, keyed by sequence number, and is
	// read from disk when listed: it is not part of the graph.
	auditBucket = []byte("audit")
	// The history, keyed by sequence number like the audit log, its bucket
	// sequence the last number given. Memory keeps each change's header for
	// queries; its records (Before, After) are read from disk per page.
	changeBucket = []byte("changes")
)

// seqKey is the key of sequence number seq: big-endian, so that keys sort as numbers.
func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

// encode is a record's stored form: members and organisations in the binary
// form of codec.go, the rest (the history, the audit log) as JSON.
func encode(v any) ([]byte, error) {
	switch r := v.(type) {
	case *org.MemberRecord:
		return encodeMember(nil, r), nil
	case *org.OrgRecord:
		return encodeOrg(nil, r), nil
	}
	return json.Marshal(v)
}

// load reads every record into a new graph. Members, nearly all of the
// data, are decoded on every core straight into their entries. older tells
// whether any member or organisation record was in the JSON form of older
// files.
func load(db *bolt.DB) (g *graph, older bool, err error) {
	g = newGraph()
	var anyOlder atomic.Bool
	var members []memberEntry
	var heads []*org.Change
	var lastSeq int64
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{orgBucket, memberBucket, auditBucket, changeBucket, scenarioBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(orgBucket).ForEach(func(k, v []byte) error {
			var r org.OrgRecord
			if isOlder(v) {
				anyOlder.Store(true)
			}
			if err := decodeOrg(v, &r); err != nil {
				return fmt.Errorf("organisation %s: %w", k, err)
			}
			g.putOrg(r)
			return nil
		}); err != nil {
			return err
		}
		// Values stay valid until the transaction ends, and decoding copies
		// what it keeps, so the workers decode in place.
		var raw [][]byte
		if err := tx.Bucket(memberBucket).ForEach(func(_, v []byte) error {
			raw = append(raw, v)
			return nil
		}); err != nil {
			return err
		}
		members = make([]memberEntry, len(raw))
		if err := parallel(len(raw), func(i int) error {
			m := &members[i]
			if isOlder(raw[i]) {
				anyOlder.Store(true)
			}
			if err := decodeMember(raw[i], &m.rec); err != nil {
				return fmt.Errorf("member %d: %w", i, err)
			}
			m.key = org.Fold(m.rec.FullName)
			return nil
		}); err != nil {
			return err
		}
		b := tx.Bucket(changeBucket)
		lastSeq = int64(b.Sequence())
		raw = raw[:0]
		if err := b.ForEach(func(_, v []byte) error {
			raw = append(raw, v)
			return nil
		}); err != nil {
			return err
		}
		heads = make([]*org.Change, len(raw))
		return parallel(len(raw), func(i int) error {
			var h changeHead
			if err := json.Unmarshal(raw[i], &h); err != nil {
				return fmt.Errorf("change %d: %w", i, err)
			}
			heads[i] = &h.Change
			return nil
		})
	})
	if err != nil {
		return nil, false, fmt.Errorf("memory: load: %w", err)
	}
	g.members = make(map[string]*memberEntry, len(members))
	g.loadEntries(members)
	g.history.load(heads, lastSeq)
	return g, anyOlder.Load(), nil
}

// dropMapped lets go of the pages of the file that loading read through
// bbolt's map: clean pages, half a kilobyte per member, that the kernel may
// take back under pressure but that count in the process's memory until it
// does; the few that reads of the history need later come back from the page
// cache. A read transaction keeps the map in place meanwhile. Called once
// the graph is loaded or imported.
func (s *Store) dropMapped() {
	if err := s.db.View(func(tx *bolt.Tx) error { return releaseMapped(s.db.Info().Data, tx.Size()) }); err != nil {
		s.log.Warn("could not release the pages of the file mapped", "err", err)
	}
}

// changeHead decodes a stored change without its records, the bulk of it:
// Before and After, one level up, hide the embedded fields and skip their
// values.
type changeHead struct {
	org.Change
	Before skipped `json:"before"`
	After  skipped `json:"after"`
}

type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// parallel runs fn(0..n-1) on every core and returns the first error. A few
// items are not worth the goroutines.
func parallel(n int, fn func(i int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if n < 64 {
		workers = 1
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// staged is what one transaction writes.
type staged struct {
	orgs    map[string]*org.OrgRecord
	members map[string]*org.MemberRecord
	audit   []org.AuditEntry
	changes []stagedChange
	// rescoped are committed changes with their scopes rewritten (Rescope)
	rescoped []stagedChange
	// scenarios by id, encoded when put; nil until one is
	scenarios map[string]*scenarioEntry
}

// empty reports whether the transaction wrote nothing.
func (st *staged) empty() bool { return st.size() == 0 }

// size counts what the transaction wrote.
func (st *staged) size() int {
	return len(st.orgs) + len(st.members) + len(st.audit) + len(st.changes) + len(st.rescoped) + len(st.scenarios)
}

// stagedChange is a change as recorded: encoded at once, so that nothing the
// caller does to it afterwards reaches the history, and its header.
type stagedChange struct {
	head  *org.Change
	value []byte
}
