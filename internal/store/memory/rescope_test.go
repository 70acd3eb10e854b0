package memory

import (
	"context"
	"slices"
	"testing"

	"dangbo/internal/org"
)

// TestRescopedChangesSurviveTheLog: a change whose scope a later write
// rewrote (Rescope) is selected by its new scope at once, while the rewrite
// is only in the log, after a crash that leaves it there (replayed on
// Open), and once the checkpoint has moved it to the file.
func TestRescopedChangesSurviveTheLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	for range 3 {
		c := &org.Change{Type: org.ChangeRenamed, EffectiveOn: org.DateFrom(2024, 1, 1), Subjects: []string{"x"}, Scope: []string{"a", "x"},
			Decision: org.Decision{Number: "1", Date: org.DateFrom(2024, 1, 1), IssuerID: "a"}}
		if err := s.Update(ctx, func(tx org.Tx) error { return tx.RecordChange(ctx, c) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.ckpt.mu.Lock() // the rewrite stays in the log
	changes, err := s.readChanges([]int64{2})
	if err != nil {
		t.Fatal(err)
	}
	changes[0].Scope = []string{"b", "x"}
	if err := s.Update(ctx, func(tx org.Tx) error { return tx.Rescope(ctx, changes) }); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		for within, want := range map[string][]int64{"a": {1, 3}, "b": {2}, "x": {1, 2, 3}} {
			page, err := s.Changes(ctx, org.ChangeQuery{Within: within, First: 10})
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, c := range page.Changes {
				seqs = append(seqs, c.Seq)
				if !slices.Contains(c.Scope, within) {
					t.Errorf("%s: change %d listed within %s has scope %v", when, c.Seq, within, c.Scope)
				}
			}
			if !slices.Equal(seqs, want) {
				t.Errorf("%s: within %s lists %v, want %v", when, within, seqs, want)
			}
		}
	}
	check(s, "logged")
	db, log := storeFiles(t, dir)
	s.ckpt.mu.Unlock()
	crashed, err := Open(crashCopy(t, db, log, len(log), false, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer crashed.Close()
	check(crashed, "replayed after a crash")
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	check(s, "checkpointed")
}
