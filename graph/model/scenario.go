package model

import (
	"sync"

	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// Scenario is a restructuring scenario. What its operations did comes from
// one replay, made only when a client selects a field that needs it, and at
// most once per object however many of its operations ask.
type Scenario struct {
	org.Scenario
	replay *replay
}

// replay is what a scenario's operations did, shared by the copies of one
// Scenario object.
type replay struct {
	once    sync.Once
	results map[int]*scenario.OpResult // by operation key
	err     error
}

// NewScenario binds sc; its replay is made when first asked for.
func NewScenario(sc org.Scenario) *Scenario { return &Scenario{Scenario: sc, replay: &replay{}} }

// EvaluatedScenario binds a scenario already replayed.
func EvaluatedScenario(ev scenario.Evaluation) *Scenario {
	s := NewScenario(ev.Scenario)
	s.replay.once.Do(func() { s.replay.results = resultsByKey(ev.Results) })
	return s
}

// Result is what the operation of the given key did when the scenario was
// replayed by evaluate (called once per object): nil when it was not
// replayed, as for a scenario no longer open.
func (s *Scenario) Result(key int, evaluate func() (scenario.Evaluation, error)) (*scenario.OpResult, error) {
	r := s.replay
	r.once.Do(func() {
		ev, err := evaluate()
		r.results, r.err = resultsByKey(ev.Results), err
	})
	return r.results[key], r.err
}

func resultsByKey(results []scenario.OpResult) map[int]*scenario.OpResult {
	out := make(map[int]*scenario.OpResult, len(results))
	for i := range results {
		out[results[i].Key] = &results[i]
	}
	return out
}

// Operations are the scenario's operations, in the order they run.
func (s *Scenario) Operations() []*ScenarioOperation {
	out := make([]*ScenarioOperation, len(s.Ops))
	for i, op := range s.Ops {
		out[i] = &ScenarioOperation{Operation: op, Index: i, Scenario: s}
	}
	return out
}

func (s *Scenario) CanUndo() bool { return s.Status == org.ScenarioOpen && len(s.Ops) > 0 }
func (s *Scenario) CanRedo() bool { return s.Status == org.ScenarioOpen && len(s.Undone) > 0 }

// ScenarioOperation is one operation of a scenario, at position Index.
type ScenarioOperation struct {
	org.Operation
	Index    int
	Scenario *Scenario
}
