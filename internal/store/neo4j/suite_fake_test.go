package neo4j

import (
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
)

// fakeSuiteCases are the cases of the behaviour suite the fake driver runs:
// all but those that write from several goroutines at once, which the fake
// does not model, and those that import a whole demo province, too large for
// its scans.
var fakeSuiteCases = []string{"Empty", "Hierarchy", "ChildrenPages", "ShapeViolationsWriteNothing", "Members", "Residence",
	"OrgOperations", "MemberOperations", "ImportExport", "ImportRejectsInvalid", "StaleWriteConflicts",
	"FailedUpdateWritesNothing", "ViewWritesNothing", "SameErrors", "Covers", "Audit", "Scenarios", "ScenarioBaseline", "MemberRules",
	"Search", "SearchPages", "AsOf", "Chart", "ChartAsOf", "LateAndPlannedOperations", "AccessControl", "ScenarioWhatIf",
	"RandomOperations", "ScenarioTrust", "ChangeKindInScenario", "DecisionsAndLateChanges", "PreviewIsApplied",
	"DissolvedResidence", "LateMovesAndScope", "MemberAnalysis", "LiveChanges", "LiveChangesScoped",
	"VillagesAndMeetings"}

// TestFakeStoreSuite runs the behaviour suite against the adapter on the fake
// driver (full-text search modelled as a scan), without a Neo4j server.
func TestFakeStoreSuite(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, _ := newFake(t)
		return s
	}, fakeSuiteCases...)
}

// TestFakeStoreSuiteRetried runs the same cases with every write transaction
// run twice, the first run rolled back, as the driver does on a transient
// error, so that every work function must start from scratch; and with the
// acknowledgement of every Update's commit lost, so that every Update must
// recognise its own commit when it runs again.
func TestFakeStoreSuiteRetried(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, f := newFake(t)
		f.replays, f.loseAcks = 1, true
		return s
	}, fakeSuiteCases...)
}
