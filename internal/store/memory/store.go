// Package memory is the embedded store, dangbo's default: the whole graph in
// memory for reads, every committed write persisted in one bbolt file before
// the write returns.
package memory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"dangbo/internal/org"
)

// FileName is the database file inside the data directory.
const FileName = "dangbo.db"

// Store is the embedded store. Readers share mu; writers are serialised by
// writeMu, persist first, then take mu exclusively for the moment it takes to
// apply the change in memory.
type Store struct {
	db      *bolt.DB
	writeMu sync.Mutex
	mu      sync.RWMutex
	g       *graph
	// scenarios are the committed scenarios by id, apart from the graph
	// (see scenario.go).
	scenarios map[string]*scenarioEntry
	trees     *dateCache[*org.Tree]
	links     *dateCache[linkIndex]
	tallies   *dateCache[cellTallies]
	log       *slog.Logger
	created   bool // Open created the file
	// revision counts the writes that changed the structure since Open:
	// no other process opens the file while this one has it.
	revision atomic.Uint64
	// commits signals the live feed that changes were committed (live.go).
	commits chan struct{}
}

var _ org.Store = (*Store)(nil)

// Revision changes with every write that changes the structure.
func (s *Store) Revision(context.Context) (uint64, error) { return s.revision.Load(), nil }

// Open opens, or creates, the store in directory dir and loads it into memory.
func Open(dir string, log *slog.Logger) (*Store, error) {
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
		s, err = open(path, log)
		return err
	})
	if s != nil {
		s.created = !exists
	}
	return s, err
}

// open opens the bbolt file at path, which checkFile found sound, and loads it.
func open(path string, log *slog.Logger) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: time.Second,
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
		return nil, fmt.Errorf("memory: %s is in use by another process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("memory: open %s: %w", path, err)
	}
	defer func() { // a damaged page: let go of the file before guarded reports it
		if p := recover(); p != nil {
			db.Close()
			panic(p)
		}
	}()
	s := &Store{db: db, log: log, commits: make(chan struct{}, 1), trees: newDateCache[*org.Tree](), links: newDateCache[linkIndex](),
		tallies: newDateCache[cellTallies]()}
	interrupted, err := discardInterruptedImport(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("memory: discard an interrupted import: %w", err)
	}
	if interrupted {
		log.Warn("discarded what an import interrupted before it ended had written", "path", path)
	}
	start := time.Now()
	if s.g, err = load(db); err != nil {
		db.Close()
		return nil, err
	}
	if s.scenarios, err = loadScenarios(db); err != nil {
		db.Close()
		return nil, err
	}
	log.Info("embedded store loaded", "path", path, "orgs", len(s.g.orgs), "members", len(s.g.members),
		"took", time.Since(start).Round(time.Millisecond))
	return s, nil
}

// Created reports whether Open created the store's file: only such a store
// is new; an existing one without organisations was emptied or never filled,
// and is not the place to seed demo data unasked.
func (s *Store) Created() bool { return s.created }

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Ping always succeeds once the store is open: it has no remote dependency.
func (s *Store) Ping(context.Context) error { return nil }

// Empty reports whether the store holds no organisation.
func (s *Store) Empty(context.Context) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.g.orgs) == 0, nil
}

// tree returns the structure on date d; the caller holds mu for reading.
func (s *Store) tree(d org.Date) (*org.Tree, error) {
	return s.trees.get(d, func() (*org.Tree, error) { return s.g.buildTree(d) })
}
