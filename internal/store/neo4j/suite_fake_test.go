package neo4j

import (
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
)

// TestFakeStoreSuite runs the behaviour suite against the adapter on the fake
// driver (full-text search modelled as a scan), without a Neo4j server: all
// but the cases that write from several goroutines at once, which the fake
// does not model, and those that import a whole demo province, too large for
// its scans.
func TestFakeStoreSuite(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, _ := newFake(t)
		return s
	}, "Empty", "Hierarchy", "ChildrenPages", "ShapeViolationsWriteNothing", "Members", "Residence",
		"OrgOperations", "MemberOperations", "ImportExport", "ImportRejectsInvalid", "StaleWriteConflicts",
		"FailedUpdateWritesNothing", "Covers", "Audit", "Scenarios", "ScenarioBaseline", "MemberRules",
		"Search", "AsOf", "Chart", "ChartAsOf", "LateAndPlannedOperations", "AccessControl", "ScenarioWhatIf",
		"RandomOperations", "ScenarioTrust", "ChangeKindInScenario", "DecisionsAndLateChanges", "PreviewIsApplied",
		"DissolvedResidence", "LateMovesAndScope", "MemberAnalysis")
}
