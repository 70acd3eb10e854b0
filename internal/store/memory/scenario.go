package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// Scenarios are drafts, few and small, kept apart from the graph: a bucket of
// their JSON by id on disk, and the same JSON in memory, decoded on every
// read so that each caller gets a copy of its own. An import replaces the
// graph and leaves them be.
//
// Their JSON is encoding/json's, not goccy/go-json's as for records: goccy
// ignores omitempty on a type with a MarshalText method, such as
// org.Operation.Until, and writes the zero org.Date as "0000-12-31", which
// no decoder reads back. Scenarios are too small for its speed to matter.
var scenarioBucket = []byte("scenarios")

// scenarioEntry is a scenario as stored: its JSON, and what writes and the
// list order need without decoding it.
type scenarioEntry struct {
	rev       int64
	createdAt time.Time
	value     []byte
}

func (e *scenarioEntry) decode() (org.Scenario, error) {
	var sc org.Scenario
	if err := json.Unmarshal(e.value, &sc); err != nil {
		return org.Scenario{}, fmt.Errorf("memory: scenario: %w", err)
	}
	return sc, nil
}

// loadScenarios reads every scenario's JSON.
func loadScenarios(db *bolt.DB) (map[string]*scenarioEntry, error) {
	all := map[string]*scenarioEntry{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(scenarioBucket).ForEach(func(k, v []byte) error {
			e := &scenarioEntry{value: slices.Clone(v)} // v is valid only in the transaction
			sc, err := e.decode()
			if err != nil {
				return fmt.Errorf("scenario %s: %w", k, err)
			}
			e.rev, e.createdAt = sc.Rev, sc.CreatedAt
			all[string(k)] = e
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("memory: load: %w", err)
	}
	return all, nil
}

func scenarioNotFound(id string) error {
	return org.NotFound(org.WhatScenario, id)
}

// Scenario reads one scenario.
func (s *Store) Scenario(_ context.Context, id string) (org.Scenario, error) {
	sd := s.read()
	e := sd.scenarios[id]
	sd.mu.RUnlock()
	if e == nil {
		return org.Scenario{}, scenarioNotFound(id)
	}
	return e.decode() // entries are replaced, never changed
}

// Scenarios lists every scenario, newest first, then by id.
func (s *Store) Scenarios(context.Context) ([]org.Scenario, error) {
	sd := s.read()
	entries := make([]*scenarioEntry, 0, len(sd.scenarios))
	for _, e := range sd.scenarios {
		entries = append(entries, e)
	}
	sd.mu.RUnlock()
	out := make([]org.Scenario, len(entries))
	for i, e := range entries {
		var err error
		if out[i], err = e.decode(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b org.Scenario) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Scenario reads a scenario as this transaction left it, or as queued, or as committed.
func (t *txn) Scenario(_ context.Context, id string) (org.Scenario, error) {
	e := t.st.scenarios[id]
	if e == nil {
		e = t.queuedScenario(id)
	}
	if e == nil {
		e = t.scenarios[id]
	}
	if e == nil {
		return org.Scenario{}, scenarioNotFound(id)
	}
	return e.decode()
}

// PutScenario stages sc, encoded at once, if its Rev is the current one: the
// staged scenario's, else the committed one's, 0 for a new one.
func (t *txn) PutScenario(_ context.Context, sc org.Scenario) error {
	var current int64
	if e := t.st.scenarios[sc.ID]; e != nil {
		current = e.rev
	} else if e := t.queuedScenario(sc.ID); e != nil {
		current = e.rev
	} else if e := t.scenarios[sc.ID]; e != nil {
		current = e.rev
	}
	if err := checkRev(org.WhatScenario, sc.ID, sc.Rev, current); err != nil {
		return err
	}
	sc.Rev = current + 1
	v, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("memory: scenario %q: %w", sc.ID, err)
	}
	if t.st.scenarios == nil {
		t.st.scenarios = map[string]*scenarioEntry{}
	}
	t.st.scenarios[sc.ID] = &scenarioEntry{rev: sc.Rev, createdAt: sc.CreatedAt, value: v}
	return nil
}
