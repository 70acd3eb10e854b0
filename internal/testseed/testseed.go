// Package testseed gives property tests their seed.
package testseed

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// Seed is the seed of a property test: fixed, so that CI repeats it, unless
// DANGBO_TEST_SEED names another ("random" for a fresh one, logged so that a
// failure can be repeated).
func Seed(t testing.TB, fixed uint64) uint64 {
	switch v := os.Getenv("DANGBO_TEST_SEED"); v {
	case "":
		return fixed
	case "random":
		seed := rand.Uint64()
		t.Logf("DANGBO_TEST_SEED=%d", seed)
		return seed
	default:
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("DANGBO_TEST_SEED=%q: %v", v, err)
		}
		return seed
	}
}
