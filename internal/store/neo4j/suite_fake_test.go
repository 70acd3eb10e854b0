package neo4j

import (
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
)

// TestFakeStoreSuite runs the cases of the behaviour suite that the fake
// driver models (no search, one goroutine at a time) against the adapter:
// its transactions, history and scenarios, without a Neo4j server.
func TestFakeStoreSuite(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, _ := newFake(t)
		return s
	}, "Hierarchy", "ChildrenPages", "ShapeViolationsWriteNothing", "Members", "Residence",
		"OrgOperations", "MemberOperations", "ImportExport", "ImportRejectsInvalid", "StaleWriteConflicts",
		"FailedUpdateWritesNothing", "Covers", "Audit", "Scenarios", "ScenarioBaseline", "MemberRules")
}
