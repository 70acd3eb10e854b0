// Package memory is the embedded store, dangbo's default: the whole graph in
// memory for reads, every committed write in a write-ahead log (fsync) before
// the write returns, and in one bbolt file soon after (wal.go).
package memory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// FileName is the database file inside the data directory.
const FileName = "dangbo.db"

// Store is the embedded store. It keeps two copies of the in-memory state,
// two sides (left-right), which share what writes replace whole, member
// entries and records among it (clone.go): readers read the active side and
// writers change the other, then make it the active one, so that no reader
// waits for a writer and no writer for the readers of the moment. Writers run one at a time (writeMu)
// and queue their writes, which are logged (fsync), several at once when
// they queue together, then published (update.go).
type Store struct {
	db      *bolt.DB
	writeMu sync.Mutex
	// persistMu lets one group of queued writes at a time into the log.
	persistMu sync.Mutex
	// pubMu lets one publisher at a time change the sides.
	pubMu sync.Mutex
	// qMu guards the queue, broken and the choice of the active side: a
	// writer takes both at once.
	qMu sync.Mutex
	// queue holds the writes not yet published, in the order their writers
	// ran: those written to the file first.
	queue []*commit
	// broken is why the last group failed to be written; the writes queued
	// then fail with it.
	broken error
	// failing is why writes fail now and since when: set by the first
	// group that fails, cleared by the next that is written (WriteFailure).
	failing atomic.Pointer[writeFailure]
	// fileFailing is why the log cannot be written into the file (wal.go).
	fileFailing atomic.Pointer[writeFailure]
	sides       [2]*side
	active      atomic.Pointer[side]
	// caughtUp is closed once the inactive side has had the last write
	// published, which it gets once the readers it still had let go of it
	// (nil: it never lacked one). Guarded by pubMu.
	caughtUp chan struct{}
	log      *slog.Logger
	created  bool // Open created the file
	// fileOnly: an import writes the file alone (OpenForImport); unloaded:
	// one did, and the graph in memory is not the file's.
	fileOnly, unloaded bool
	// commits signals the live feed that changes were committed (live.go).
	commits chan struct{}
	// revision counts the writes that changed the structure since Open:
	// no other process opens the file while this one has it.
	revision atomic.Uint64
	// wal is the write-ahead log (wal.go), guarded by persistMu, as is
	// auditSeq, the number of the last audit entry logged.
	wal      *wal
	auditSeq uint64
	ckpt     checkpointer
	// upgraded is closed when the rewrite of the records of an older file
	// ends (upgrade.go); nil when there was none to do.
	upgraded chan struct{}
	// closeOnce stops the checkpointer and closes the log.
	closeOnce sync.Once
}

// side is one copy of the graph, the committed scenarios and what readers
// derived for recent dates. Readers hold mu for reading; the writer changes a
// side only while it is inactive, holding mu, which waits only for readers
// that took the side before it stopped being the active one.
type side struct {
	mu sync.RWMutex
	g  *graph
	// scenarios are the committed scenarios by id, apart from the graph
	// (see scenario.go).
	scenarios map[string]*scenarioEntry
	trees     *dateCache[*tree.Tree]
	links     *dateCache[linkIndex]
	tallies   *dateCache[cellTallies]
	// built counts the structures of a date built for readers.
	built atomic.Uint64
}

// set makes g and scenarios the side's state, with nothing derived yet.
func (sd *side) set(g *graph, scenarios map[string]*scenarioEntry) {
	sd.g, sd.scenarios = g, scenarios
	sd.trees, sd.links, sd.tallies = newDateCache[*tree.Tree](), newDateCache[linkIndex](), newDateCache[cellTallies]()
}

// read returns the active side, held for reading: the caller releases it
// with sd.mu.RUnlock. A side that a writer holds is not the active one any
// more, so the reader tries the other instead of waiting.
func (s *Store) read() *side {
	for {
		sd := s.active.Load()
		if sd.mu.TryRLock() {
			if s.active.Load() == sd {
				return sd
			}
			sd.mu.RUnlock()
		}
		runtime.Gosched()
	}
}

// install makes g and scenarios the state of both sides, a copy of them the
// second's; the caller holds writeMu, and nothing is queued. Like a write, it
// changes the inactive side first, so that readers never wait. The copy is
// made in the background, as a write's second application is: readers are
// served from g meanwhile (copying only reads it), and the next write waits
// for it (settle). A restart is ready a fifth sooner for it.
func (s *Store) install(g *graph, scenarios map[string]*scenarioEntry) {
	var prev *side
	if s.active.Load() == nil { // Open: no reader yet
		s.sides = [2]*side{{}, {}}
		s.sides[0].set(g, scenarios)
		s.active.Store(s.sides[0])
		prev = s.sides[1]
	} else {
		s.pubMu.Lock()
		defer s.pubMu.Unlock()
		s.settle()
		next := s.inactive()
		next.mu.Lock()
		next.set(g, scenarios)
		next.mu.Unlock()
		s.qMu.Lock()
		prev = s.active.Swap(next)
		s.qMu.Unlock()
	}
	s.catchUp(prev, func() {
		prev.set(g.clone(), maps.Clone(scenarios))
		// Loading or importing a whole graph leaves garbage as large as what
		// it keeps, which the runtime would hold on to: give it back once the
		// copy, which adds its own, is made, off the path to readiness.
		debug.FreeOSMemory()
	})
}

// catchUp brings side prev, which readers just left, up to date with fn in
// the background; the next write waits for it (settle).
func (s *Store) catchUp(prev *side, fn func()) {
	done := make(chan struct{})
	s.caughtUp = done
	go func() {
		defer close(done)
		prev.mu.Lock()
		defer prev.mu.Unlock()
		fn()
	}()
}

// settle waits until the inactive side has had every write published; the
// caller holds pubMu.
func (s *Store) settle() {
	if s.caughtUp != nil {
		<-s.caughtUp
	}
}

// inactive is the side readers do not read from now; the caller holds pubMu.
func (s *Store) inactive() *side {
	if s.active.Load() == s.sides[0] {
		return s.sides[1]
	}
	return s.sides[0]
}

var (
	_ org.Store       = (*Store)(nil)
	_ org.WriteHealth = (*Store)(nil)
)

// Revision changes with every write that changes the structure.
func (s *Store) Revision(context.Context) (uint64, error) { return s.revision.Load(), nil }

// Open opens, or creates, the store in directory dir and loads it into
// memory; records of an older form it rewrites in the background (upgrade.go).
func Open(dir string, log *slog.Logger) (*Store, error) { return openDir(dir, log, true) }

// OpenForExport opens the store in dir for `dangbo export`: it reads the
// dataset, audits the export and closes. Records of an older form are left
// as they are: their rewrite, beside the export, held as much memory again
// and rewrote the file under a command that only reads it.
func OpenForExport(dir string, log *slog.Logger) (*Store, error) { return openDir(dir, log, false) }

// openDir is Open, with upgrade telling whether to rewrite older records.
func openDir(dir string, log *slog.Logger, upgrade bool) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("memory: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	var s *Store
	err = guarded(path, func() (err error) {
		s, err = open(path, !exists, upgrade, log)
		return err
	})
	if s != nil {
		s.created = !exists
	}
	return s, err
}

// open opens the bbolt file at path, which checkFile found sound (or created
// when fresh), and loads it.
func open(path string, fresh, upgrade bool, log *slog.Logger) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// The freelist is rebuilt on open instead of written at every commit:
		// cheaper writes, and nothing that can be lost in a crash.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		// Address space, not memory: without it bbolt remaps, copying every
		// node, each time the file grows, a fifth of a large import's time.
		InitialMmapSize: 1 << 30,
		// Pages of 16 KB (new files only) write a large import in a quarter
		// as many calls, 0.1 s less in the commit of the demo, and cost a
		// small write nothing measurable: its fsync dominates.
		PageSize: 16 << 10,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, errInUse(path)
	}
	if err != nil {
		return nil, fmt.Errorf("memory: open %s: %w", path, err)
	}
	s := &Store{db: db, log: log, commits: make(chan struct{}, 1)}
	defer func() { // a damaged page: let go of the files before guarded reports it
		if p := recover(); p != nil {
			if s.wal != nil {
				s.wal.f.Close()
			}
			db.Close()
			panic(p)
		}
	}()
	interrupted, err := discardInterruptedImport(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("memory: discard an interrupted import: %w", err)
	}
	if interrupted {
		log.Warn("discarded what an import interrupted before it ended had written", "path", path)
	}
	if s.wal, err = openWAL(db, path+walSuffix, fresh); err != nil {
		db.Close()
		return nil, err
	}
	start := time.Now()
	g, scenarios, older, err := s.loadAll()
	if err != nil {
		s.wal.f.Close()
		db.Close()
		// The file's pages are sound (bbolt read them), its records not.
		return nil, &DamagedError{Path: path, Reason: fmt.Sprintf("a record cannot be read (%v)", err)}
	}
	if err := s.dateFacts(g); err != nil {
		s.wal.f.Close()
		db.Close()
		return nil, err
	}
	s.install(g, scenarios)
	s.dropMapped()
	s.ckpt = checkpointer{changes: map[int64][]byte{}, wake: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go s.runCheckpoints()
	if older && upgrade {
		s.upgraded = make(chan struct{})
		go s.upgrade(s.ckpt.stop)
	}
	log.Info("embedded store loaded", "path", path, "orgs", len(g.orgs), "members", len(g.members),
		"took", time.Since(start).Round(time.Millisecond))
	return s, nil
}

// loadAll reads the graph, the scenarios and the audit log's last number,
// and tells whether records of the older form were met.
func (s *Store) loadAll() (*graph, map[string]*scenarioEntry, bool, error) {
	g, older, err := load(s.db)
	if err != nil {
		return nil, nil, false, err
	}
	scenarios, err := loadScenarios(s.db)
	if err != nil {
		return nil, nil, false, err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		s.auditSeq = tx.Bucket(auditBucket).Sequence()
		return nil
	})
	return g, scenarios, older, err
}

// Created reports whether Open created the store's file: only such a store
// is new; an existing one without organisations was emptied or never filled,
// and is not the place to seed demo data unasked.
func (s *Store) Created() bool { return s.created }

// Close closes the database file, once the last write has reached both sides.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.flush()
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	s.settle()
	var err error
	s.closeOnce.Do(func() {
		close(s.ckpt.stop)
		<-s.ckpt.stopped
		if s.upgraded != nil {
			<-s.upgraded
		}
		err = errors.Join(s.checkpoint(), s.wal.f.Close())
	})
	return errors.Join(err, s.db.Close())
}

// Ping always succeeds once the store is open: it has no remote dependency.
func (s *Store) Ping(context.Context) error { return nil }

// Empty reports whether the store holds no organisation.
func (s *Store) Empty(context.Context) (bool, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	return len(sd.g.orgs) == 0, nil
}

// tree returns the structure on date d; the caller holds mu for reading.
func (sd *side) tree(ctx context.Context, d org.Date) (*tree.Tree, error) {
	return sd.trees.get(ctx, d, func() (*tree.Tree, error) {
		sd.built.Add(1)
		return sd.g.buildTree(d)
	})
}

// StructuresBuilt is how many times readers had the whole structure on a
// date built, the most expensive thing a read may do (tens of milliseconds
// on the demo, growing with the organisations): the cost model must charge
// for every date a request can make the store build.
func (s *Store) StructuresBuilt() uint64 {
	return s.sides[0].built.Load() + s.sides[1].built.Load()
}
