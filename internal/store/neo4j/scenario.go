package neo4j

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// A scenario is a Scenario node holding its whole JSON, with its id, rev and
// creation time beside it for the constraint and the list order (see
// model.go). A transaction reads a scenario once, checks the rev of a put
// against it, and writes what it put when it commits, with its records.

// txScenario is a scenario as a transaction sees it: as stored, then as put.
type txScenario struct {
	found     bool   // stored, or put
	value     string // its JSON
	rev       int64
	put       bool // to be written at commit
	createdAt time.Time
}

func scenarioNotFound(id string) error {
	return org.NotFound(org.WhatScenario, id)
}

// decodeScenario reads the json column of a record of scenario_get or scenarios_all.
func decodeScenario(r row) (org.Scenario, error) {
	var d decoder
	s := d.str(r, "json")
	if d.err != nil {
		return org.Scenario{}, d.err
	}
	var sc org.Scenario
	if err := json.Unmarshal([]byte(s), &sc); err != nil {
		return org.Scenario{}, fmt.Errorf("neo4j: scenario: %w", err)
	}
	return sc, nil
}

// getScenario runs scenario_get: the scenario, and whether there is one.
func getScenario(ctx context.Context, q querier, id string) (org.Scenario, bool, error) {
	recs, err := run(ctx, q, "scenario_get", map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return org.Scenario{}, false, err
	}
	sc, err := decodeScenario(recs[0].AsMap())
	return sc, err == nil, err
}

// Scenario reads one scenario.
func (s *Store) Scenario(ctx context.Context, id string) (org.Scenario, error) {
	var sc org.Scenario
	err := s.read(ctx, func(q querier) error {
		var found bool
		var err error
		if sc, found, err = getScenario(ctx, q, id); err == nil && !found {
			err = scenarioNotFound(id)
		}
		return err
	})
	return sc, err
}

// Scenarios lists every scenario, newest first, then by id.
func (s *Store) Scenarios(ctx context.Context) ([]org.Scenario, error) {
	var out []org.Scenario
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "scenarios_all", nil)
		if err != nil {
			return err
		}
		out = make([]org.Scenario, len(recs))
		for i, rec := range recs {
			if out[i], err = decodeScenario(rec.AsMap()); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// scenario is scenario id as this transaction sees it, read from the
// database the first time: by an Update under the lock of the scenario's
// node (scenario_lock), so that the rev it checks a put against stays the
// stored one until it commits.
func (t *updateTx) scenario(ctx context.Context, id string) (*txScenario, error) {
	if ts := t.scenarios[id]; ts != nil {
		return ts, nil
	}
	var recs []*n4j.Record
	var err error
	if t.key == "" {
		recs, err = run(ctx, t.q, "scenario_get", map[string]any{"id": id})
	} else {
		recs, err = run(ctx, t.q, "scenario_lock", map[string]any{"id": id, "commit": t.key})
	}
	if err != nil {
		return nil, err
	}
	ts := &txScenario{}
	if len(recs) > 0 {
		r := recs[0].AsMap()
		if t.key != "" {
			var d decoder
			if err := t.found(d.boolean(r, "applied")); err != nil || d.err != nil {
				return nil, cmp.Or(err, d.err)
			}
		}
		if r["json"] != nil {
			sc, err := decodeScenario(r)
			if err != nil {
				return nil, err
			}
			ts.found, ts.value, ts.rev = true, r["json"].(string), sc.Rev
		}
	}
	if t.scenarios == nil {
		t.scenarios = map[string]*txScenario{}
	}
	t.scenarios[id] = ts
	return ts, nil
}

// Scenario reads a scenario as this transaction put it, or as stored.
func (t *updateTx) Scenario(ctx context.Context, id string) (org.Scenario, error) {
	ts, err := t.scenario(ctx, id)
	if err != nil {
		return org.Scenario{}, err
	}
	if !ts.found {
		return org.Scenario{}, scenarioNotFound(id)
	}
	return decodeScenario(row{"json": ts.value})
}

// PutScenario takes sc to be written at commit. Its Rev must be the current
// one, as put in this transaction or else as stored (0 for a new scenario);
// the scenario written carries the next one.
func (t *updateTx) PutScenario(ctx context.Context, sc org.Scenario) error {
	ts, err := t.scenario(ctx, sc.ID)
	if err != nil {
		return err
	}
	if sc.Rev != ts.rev {
		return org.Stale(org.WhatScenario, sc.ID)
	}
	sc.Rev = ts.rev + 1
	b, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("neo4j: encoding scenario %q: %w", sc.ID, err)
	}
	if !ts.put {
		t.scenarioOrder = append(t.scenarioOrder, sc.ID)
	}
	ts.found, ts.value, ts.rev, ts.put, ts.createdAt = true, string(b), sc.Rev, true, sc.CreatedAt
	return nil
}

// writeScenarios writes the scenarios put, in the order first put.
func (t *updateTx) writeScenarios(ctx context.Context) error {
	for _, id := range t.scenarioOrder {
		ts := t.scenarios[id]
		params := map[string]any{"id": id, "rev": ts.rev, "createdAt": ts.createdAt.UTC(), "json": ts.value}
		if _, err := run(ctx, t.q, "scenario_put", params); err != nil {
			return err
		}
	}
	return nil
}
