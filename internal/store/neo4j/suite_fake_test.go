package neo4j

import (
	"context"
	"maps"
	"slices"
	"testing"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

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
	"Search", "AsOf", "Chart", "ChartAsOf", "LateAndPlannedOperations", "AccessControl", "ScenarioWhatIf",
	"RandomOperations", "ScenarioTrust", "ChangeKindInScenario", "DecisionsAndLateChanges", "PreviewIsApplied",
	"DissolvedResidence", "LateMovesAndScope", "MemberAnalysis", "LiveChanges", "LiveChangesScoped",
	"VillagesAndMeetings"}

// TestFakeStoreSuite runs the behaviour suite against the adapter on the fake
// driver (full-text search modelled as a scan), without a Neo4j server.
func TestFakeStoreSuite(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, f := newFake(t)
		f.checkCounts = true
		return s
	}, fakeSuiteCases...)
}

// assertCounts fails the test when the counts the writes maintained differ
// from a count from scratch of the open-ended state: an organisation that
// exists then counts its subtree, any other nothing.
func (g *fakeGraph) assertCounts(t *testing.T) {
	t.Helper()
	var ids []string
	for id := range g.orgs {
		if g.versionAt(id, openEnd) != nil {
			ids = append(ids, id)
		}
	}
	tree, err := treeAt(context.Background(), graphQuerier{g}, openEnd, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range slices.Sorted(maps.Keys(g.orgs)) {
		kept, err := decodeCounts(anyList(g.counts[id]))
		if g.counts[id] == nil {
			kept, err = org.Counts{}, nil
		}
		counted, _ := tree.Get(id)
		if err != nil || kept != counted.Counts {
			t.Fatalf("counts of %s kept %+v, counted %+v (%v)", id, kept, counted.Counts, err)
		}
	}
}

// graphQuerier answers statements from the models, outside any transaction.
type graphQuerier struct{ g *fakeGraph }

func (q graphQuerier) query(_ context.Context, st *statement, params map[string]any) ([]*n4j.Record, error) {
	return asRecords(fakeModels[st.name](q.g, params)...), nil
}

// TestFakeStoreSuiteRetried runs the same cases with every write transaction
// run twice, the first run rolled back, as the driver does on a transient
// error, so that every work function must start from scratch; and with the
// acknowledgement of every Update's commit lost, so that every Update must
// recognise its own commit when it runs again.
func TestFakeStoreSuiteRetried(t *testing.T) {
	storetest.RunSome(t, func(t *testing.T) org.Store {
		s, f := newFake(t)
		f.replays, f.loseAcks, f.checkCounts = 1, true, true
		return s
	}, fakeSuiteCases...)
}
