package neo4j

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"dangbo/internal/org"
)

func init() {
	fakeModels["import_state"] = func(g *fakeGraph, p map[string]any) []row {
		stale := p["stale"].(time.Time)
		return []row{{"data": len(g.orgs) > 0, "underway": g.importing != "" && !g.importBeat.Before(stale),
			"abandoned": g.importing != "" && g.importBeat.Before(stale)}}
	}
	fakeModels["import_claim"] = func(g *fakeGraph, p map[string]any) []row {
		id, stale := p["id"].(string), p["stale"].(time.Time)
		other := g.importing != "" && g.importing != id
		state := "claimed"
		switch {
		case other && !g.importBeat.Before(stale):
			state = "busy"
		case other:
			state = "abandoned"
		case len(g.orgs) > 0 && g.importing == "":
			state = "done"
		default:
			g.importing, g.importBeat, g.schemaVersion = id, p["now"].(time.Time), p["version"].(int64)
		}
		return []row{{"state": state}}
	}
	fakeModels["import_beat"] = func(g *fakeGraph, p map[string]any) []row {
		if g.importing != p["id"] {
			return []row{{"mine": int64(0)}}
		}
		g.importBeat = p["now"].(time.Time)
		if p["last"].(bool) {
			g.importing, g.importBeat = "", time.Time{}
		}
		return []row{{"mine": int64(1)}}
	}
	fakeModels["wipe_batch"] = func(g *fakeGraph, _ map[string]any) []row {
		deleted := int64(len(g.orgs) + len(g.members) + len(g.changes) + len(g.audit))
		if g.importing != "" {
			deleted++ // the Meta node
		}
		*g = *newFakeGraph()
		return []row{{"deleted": deleted}}
	}
}

// TestTwoInstancesSeedOnce: two instances over one empty database. While the
// first holds the import's claim, the second, asking, waits (here until its
// deadline) instead of seeing a partial store or importing too; once the
// first has imported, the second finds the data and refuses to import it again.
func TestTwoInstancesSeedOnce(t *testing.T) {
	a, f := newFake(t)
	b := newStore(f)
	b.importPoll = time.Millisecond
	if _, err := a.claimImport(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.Empty(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Empty during another instance's import: %v, want a wait", err)
	}
	if _, err := b.Import(short, &recordList{sampleDataset()}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Import during another instance's import: %v, want a wait", err)
	}
	f.g.importing = "" // the claim above was only to be held
	if _, err := a.Import(ctx, &recordList{sampleDataset()}); err != nil {
		t.Fatal(err)
	}
	if empty, err := b.Empty(ctx); err != nil || empty {
		t.Fatalf("Empty after the import: %v, %v", empty, err)
	}
	_, err := b.Import(ctx, &recordList{sampleDataset()})
	wantCode(t, err, org.EConflict)
	if got := len(f.g.orgs); got != 5 {
		t.Fatalf("%d organisations, want the dataset's 5", got)
	}
}

// TestFailedImportLeavesNothing: an import that fails half way wipes what it
// wrote, so that a restart finds the store empty and imports again.
func TestFailedImportLeavesNothing(t *testing.T) {
	s, f := newFake(t)
	f.failIf = func(name string, p map[string]any) error {
		if name == "commit" && len(p["members"].([]any)) > 0 {
			return errors.New("connection reset")
		}
		return nil
	}
	if _, err := s.Import(ctx, &recordList{sampleDataset()}); err == nil {
		t.Fatal("the import did not fail")
	}
	if empty, err := s.Empty(ctx); err != nil || !empty || len(f.g.orgs) != 0 || f.g.importing != "" {
		t.Fatalf("after a failed import: empty %v, %v, %d organisations, claim %q", empty, err, len(f.g.orgs), f.g.importing)
	}
	f.failIf = nil
	if _, err := s.Import(ctx, &recordList{sampleDataset()}); err != nil {
		t.Fatal(err)
	}
}

// TestAbandonedImportIsReplaced: an instance that died while importing left
// a partial store and a claim that stopped beating; the next start counts the
// store as empty, wipes it and imports the whole dataset.
func TestAbandonedImportIsReplaced(t *testing.T) {
	s, f := newFake(t)
	if _, err := s.Import(ctx, &recordList{sampleDataset()[:2]}); err != nil {
		t.Fatal(err)
	}
	f.g.importing, f.g.importBeat = "i-dead", time.Now().Add(-time.Hour)
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("Empty with an abandoned import: %v, %v", empty, err)
	}
	f.reset()
	if _, err := s.Import(ctx, &recordList{sampleDataset()}); err != nil {
		t.Fatal(err)
	}
	if len(f.g.orgs) != 5 || f.g.importing != "" || !slices.Contains(f.names(), "wipe_batch") {
		t.Fatalf("%d organisations, claim %q, statements %v", len(f.g.orgs), f.g.importing, f.names())
	}
}

// TestTwoInstancesAgreeOnScenarios: two instances over one database, each
// with its cache of replayed scenarios. After a write through one, a preview
// through the other shows it: the cache is keyed by the database's revision.
func TestTwoInstancesAgreeOnScenarios(t *testing.T) {
	a, f := loaded(t)
	b := newStore(f)
	svcA, scnA := services(a)
	svcB := service(b)
	sc, err := scnA.Create(ctx, "Gộp chi bộ", "gc", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scnA.AddOperations(ctx, sc.ID, []org.Operation{
		{Type: org.OpMergeOrgs, Sources: []string{"c2"}, TargetID: "c1"},
	}); err != nil {
		t.Fatal(err)
	}
	preview := func() int32 {
		t.Helper()
		c1, err := svcA.Org(ctx, org.View{At: today, Scenario: sc.ID}, "c1")
		if err != nil {
			t.Fatal(err)
		}
		return c1.Counts.Official + c1.Counts.Probationary
	}
	before := preview()
	if again := preview(); again != before {
		t.Fatalf("the cached preview says %d members, the first %d", again, before)
	}
	// Through the other instance, a member of c2 leaves the party.
	page, err := svcB.CellMembers(ctx, svcB.Now(), "c2", org.PageQuery{First: 1})
	if err != nil || len(page.Members) == 0 {
		t.Fatalf("members of c2: %+v, %v", page, err)
	}
	if _, err := svcB.RemoveMember(ctx, page.Members[0].ID, org.RemovalExpelled, decision("3-QĐ/ĐU", "gc")); err != nil {
		t.Fatal(err)
	}
	if after := preview(); after != before-1 {
		t.Fatalf("after a write through the other instance the preview says %d members, want %d", after, before-1)
	}
}
