package neo4j

import (
	"cmp"
	"maps"
	"slices"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
	"dangbo/internal/tree"
)

// fakeSuiteCases are the cases of the behaviour suite the fake driver runs:
// all but those that import a whole demo province, too large for its scans.
var fakeSuiteCases = []string{"Empty", "Hierarchy", "ChildrenPages", "ShapeViolationsWriteNothing", "Members", "Residence",
	"OrgOperations", "MemberOperations", "ImportExport", "ImportRejectsInvalid", "StaleWriteConflicts",
	"FailedUpdateWritesNothing", "ViewWritesNothing", "SameErrors", "Covers", "Audit", "Scenarios", "ScenarioBaseline", "MemberRules",
	"Search", "SearchPages", "AsOf", "Chart", "ChartAsOf", "LateAndPlannedOperations", "AccessControl", "ScenarioWhatIf",
	"RandomOperations", "HistoryCountsAsListed", "SameDayMovesAndScope", "ResidentsLeaving", "ScenarioTrust", "ChangeKindInScenario", "DecisionsAndLateChanges", "PreviewIsApplied",
	"DissolvedResidence", "LateMovesAndScope", "LateMovesRescopeHistory", "LateMovePairs", "MemberAnalysis", "LiveChanges", "LiveChangesScoped",
	"VillagesAndMeetings", "YearlyFactsAfterLateMoves", "EndedAsOf", "ConcurrentOperations", "ConcurrentWrites"}

// TestFakeStoreSuite runs the behaviour suite against the adapter on the fake
// driver (full-text search modelled as a scan), without a Neo4j server.
func TestFakeStoreSuite(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, f := newFake(t)
		f.checkCounts = true
		return s
	}, fakeSuiteCases...)
	storetest.RunTwoInstances(t, func(t *testing.T) (org.Store, org.Store) {
		s, f := newFake(t)
		f.checkCounts = true
		return s, newStore(f)
	})
}

// assertCounts fails the test when the counts the writes maintained, read
// on each of dates, differ from a count from scratch on that date: an
// organisation that exists then counts its subtree, any other nothing.
func (g *fakeGraph) assertCounts(t *testing.T, dates []org.Date) {
	t.Helper()
	for _, at := range dates {
		tree := tree.New(at)
		var d decoder
		for id := range g.orgs {
			if v := g.versionAt(id, at); v != nil {
				o := org.Org{ID: id, ParentID: d.str(v, "parentId")}
				d.enum(v, "kind", &o.Kind)
				d.enum(v, "sector", &o.Sector)
				tree.Set(o)
			}
		}
		for id := range g.orgs {
			official, probationary := g.direct(id, at)
			tree.SetDirect(id, int32(official), int32(probationary))
		}
		if err := cmp.Or(d.err, tree.Recount()); err != nil {
			t.Fatal(err)
		}
		for _, r := range g.orgRecords(slices.Sorted(maps.Keys(g.orgs)), at) {
			kept, err := decodeCounts(d.list(r, "counts"))
			counted, _ := tree.Get(r["id"].(string))
			if err != nil || kept != counted.Counts {
				t.Fatalf("counts of %s on %s kept %+v, counted %+v (%v)", r["id"], at, kept, counted.Counts, err)
			}
		}
	}
}

// TestFakeStoreSuiteRetried runs the same cases with every write transaction
// run twice, the first run rolled back (as the driver retries on a transient
// error), and every Update's commit acknowledged as lost: the run again must
// find its key with its first lock and answer as applied.
func TestFakeStoreSuiteRetried(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, f := newFake(t)
		f.replays, f.loseAcks = 1, true
		return s
	}, fakeSuiteCases...)
	storetest.RunTwoInstances(t, func(t *testing.T) (org.Store, org.Store) {
		s, f := newFake(t)
		f.replays, f.loseAcks = 1, true
		return s, newStore(f)
	})
}
