// Package storetest states what every org.Store must do: one behaviour suite
// that the embedded store runs in every test run and the Neo4j store runs when
// a server is available.
package storetest

import (
	"testing"

	"dangbo/internal/org"
)

// Opener returns a new, empty store for one test; the suite closes it.
type Opener func(t *testing.T) org.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Helper()
}
