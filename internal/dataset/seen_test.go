package dataset

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"dangbo/internal/testseed"
)

// TestSeenIDsAgreesWithASet: on generated ids, mostly rising as exports
// list them, some out of order and some repeated, seenIDs reports a
// duplicate exactly when a set of the ids before does.
func TestSeenIDsAgreesWithASet(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 11), 0))
	for round := range 50 {
		var s seenIDs
		set := map[string]bool{}
		next := 0
		for i := range 200 + rng.IntN(2000) {
			var id string
			switch r := rng.IntN(10); {
			case r < 7 || next == 0: // the next id, as an export lists them
				next += 1 + rng.IntN(3)
				id = fmt.Sprintf("m%07d", next)
			case r < 9: // an id below the last one: new or seen
				id = fmt.Sprintf("m%07d", rng.IntN(next+1))
			default: // another shape of id
				id = fmt.Sprintf("x%d", rng.IntN(50))
			}
			if got, want := s.add(id), set[id]; got != want {
				t.Fatalf("round %d, id %d %q: duplicate %v, want %v", round, i, id, got, want)
			}
			set[id] = true
		}
	}
}
