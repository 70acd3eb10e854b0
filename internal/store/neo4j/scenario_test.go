package neo4j

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// scenarioCreated is when testScenario drafts are created, in Hanoi time, so
// that the parameter shows the conversion to UTC.
var scenarioCreated = time.Date(2024, 5, 1, 15, 30, 15, 123456789, time.FixedZone("ICT", 7*3600))

func testScenario(id string, createdAt time.Time) org.Scenario {
	return org.Scenario{
		ID: id, Name: "Sáp nhập chi bộ " + id, Within: "gc", BaseAsOf: today, Status: org.ScenarioOpen,
		CreatedBy: "system", CreatedAt: createdAt, UpdatedAt: createdAt,
		Ops: []org.Operation{
			{Key: 1, Type: org.OpTransferOrg, ID: "c1", ParentID: "d"},
			{Key: 2, Type: org.OpRenameOrg, ID: "c2", Name: "Chi bộ thôn Tây Mới"},
		},
		NextKey: 3, Reads: map[string]int64{"c1": 1},
	}
}

// sameScenario compares times as instants, the rest field by field.
func sameScenario(got, want org.Scenario) bool {
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		return false
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(got, want)
}

func putScenario(s *Store, sc org.Scenario) error {
	return s.Update(ctx, func(tx org.Tx) error { return tx.PutScenario(ctx, sc) })
}

func TestScenarioPutReadsTheRevThenWritesAtCommit(t *testing.T) {
	s, f := newFake(t)
	f.replays = 1 // the driver runs the transaction again: the first run's write is rolled back
	sc := testScenario("s1", scenarioCreated)
	if err := putScenario(s, sc); err != nil {
		t.Fatal(err)
	}
	if got, want := f.names(), []string{
		"scenario_lock", "scenario_put", "commit", // the replay, rolled back
		"scenario_lock", "scenario_put", "commit",
	}; !slices.Equal(got, want) {
		t.Fatalf("statements\n got %v\nwant %v", got, want)
	}
	if !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeWrite}) {
		t.Fatalf("transactions %v", f.modes)
	}
	if p := f.only("scenario_lock")[0].params; !reflect.DeepEqual(p, map[string]any{"id": "s1", "commit": f.only("commit")[0].params["commit"]}) {
		t.Fatalf("scenario_lock params %v", p)
	}
	p := f.only("scenario_put")[1].params
	if p["id"] != "s1" || p["rev"] != int64(1) {
		t.Fatalf("scenario_put params %v", p)
	}
	if at, ok := p["createdAt"].(time.Time); !ok || at.Location() != time.UTC || !at.Equal(scenarioCreated) {
		t.Fatalf("createdAt %#v, want the creation time in UTC", p["createdAt"])
	}
	var written org.Scenario
	if err := json.Unmarshal([]byte(p["json"].(string)), &written); err != nil {
		t.Fatalf("json %#v: %v", p["json"], err)
	}
	want := sc
	want.Rev = 1
	if !sameScenario(written, want) {
		t.Fatalf("written\n got %+v\nwant %+v", written, want)
	}
	if len(f.g.scenarios) != 1 {
		t.Fatalf("%d scenarios in the graph", len(f.g.scenarios))
	}

	// Read back in a read transaction, whole.
	f.reset()
	got, err := s.Scenario(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if !sameScenario(got, want) {
		t.Fatalf("read back\n got %+v\nwant %+v", got, want)
	}
	if !slices.Equal(f.names(), []string{"scenario_get"}) || !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("statements %v, transactions %v", f.names(), f.modes)
	}

	// The next write carries the rev read, and gets the next.
	f.replays = 0
	got.Name = "Đổi tên"
	if err := putScenario(s, got); err != nil {
		t.Fatal(err)
	}
	if p := f.only("scenario_put")[0].params; p["rev"] != int64(2) {
		t.Fatalf("scenario_put params %v", p)
	}
	if again, err := s.Scenario(ctx, "s1"); err != nil || again.Rev != 2 || again.Name != "Đổi tên" {
		t.Fatalf("after the update: %+v, %v", again, err)
	}
}

func TestScenarioMissingIsNotFound(t *testing.T) {
	s, f := newFake(t)
	_, err := s.Scenario(ctx, "snope")
	wantCode(t, err, org.ENotFound)
	if msg := org.ErrorMessage(err); msg != `không tìm thấy phương án "snope"` {
		t.Fatalf("message %q", msg)
	}
	err = s.Update(ctx, func(tx org.Tx) error {
		_, err := tx.Scenario(ctx, "snope")
		return err
	})
	wantCode(t, err, org.ENotFound)
	if got := f.names(); !slices.Equal(got, []string{"scenario_get", "scenario_lock"}) {
		t.Fatalf("statements %v", got)
	}
}

func TestScenarioStaleRevConflictsAndWritesNothing(t *testing.T) {
	s, f := newFake(t)
	if err := putScenario(s, testScenario("s1", scenarioCreated)); err != nil {
		t.Fatal(err)
	}
	f.reset()
	for _, rev := range []int64{0, 2} {
		stale := testScenario("s1", scenarioCreated)
		stale.Rev = rev
		wantCode(t, putScenario(s, stale), org.EConflict)
	}
	if len(f.only("scenario_put")) != 0 {
		t.Fatalf("statements %v: a refused put wrote", f.names())
	}

	// A transaction reads its own write, once read from the database, and
	// puts again from it; when fn fails, nothing is written.
	f.reset()
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx org.Tx) error {
		sc, err := tx.Scenario(ctx, "s1")
		if err != nil {
			return err
		}
		sc.Name = "Bỏ dở"
		if err := tx.PutScenario(ctx, sc); err != nil {
			return err
		}
		wantCode(t, tx.PutScenario(ctx, sc), org.EConflict)
		own, err := tx.Scenario(ctx, "s1")
		if err != nil || own.Rev != 2 || own.Name != "Bỏ dở" {
			t.Errorf("own write %+v, %v", own, err)
		}
		if err := tx.PutScenario(ctx, own); err != nil {
			t.Errorf("put from the own write: %v", err)
		}
		if err := tx.PutScenario(ctx, testScenario("s2", scenarioCreated)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error %v", err)
	}
	if got := f.names(); !slices.Equal(got, []string{"scenario_lock", "scenario_lock"}) {
		t.Fatalf("statements %v: want s1 read once, s2 once, nothing written", got)
	}
	if got, err := s.Scenario(ctx, "s1"); err != nil || got.Rev != 1 || got.Name != "Sáp nhập chi bộ s1" {
		t.Fatalf("after a failed update: %+v, %v", got, err)
	}
}

func TestScenariosNewestFirst(t *testing.T) {
	s, f := newFake(t)
	older, newer := scenarioCreated, scenarioCreated.Add(time.Hour)
	for _, sc := range []org.Scenario{testScenario("b", older), testScenario("c", newer), testScenario("a", older)} {
		if err := putScenario(s, sc); err != nil {
			t.Fatal(err)
		}
	}
	f.reset()
	all, err := s.Scenarios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sc := range all {
		ids = append(ids, sc.ID)
		if sc.Rev != 1 {
			t.Fatalf("scenario %+v", sc)
		}
	}
	if !slices.Equal(ids, []string{"c", "a", "b"}) {
		t.Fatalf("order %v", ids)
	}
	if c := f.only("scenarios_all"); len(c) != 1 || len(c[0].params) != 0 ||
		!slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("calls %v, transactions %v", f.calls, f.modes)
	}
}

func TestScenarioDecodingFailures(t *testing.T) {
	s, f := newFake(t)
	for _, bad := range []row{{"json": int64(7)}, {"json": "{"}, {"json": `{"status": "LOST"}`}} {
		f.answer["scenario_get"] = func(map[string]any) []row { return []row{bad} }
		f.answer["scenario_lock"] = func(map[string]any) []row { return []row{{"json": bad["json"], "applied": false}} }
		f.answer["scenarios_all"] = func(map[string]any) []row { return []row{bad} }
		if _, err := s.Scenario(ctx, "s1"); err == nil || org.ErrorCode(err) == org.ENotFound {
			t.Fatalf("Scenario of %v: %v", bad, err)
		}
		if _, err := s.Scenarios(ctx); err == nil {
			t.Fatalf("Scenarios of %v: no error", bad)
		}
		if err := putScenario(s, testScenario("s1", scenarioCreated)); err == nil {
			t.Fatalf("PutScenario over %v: no error", bad)
		}
	}
}

// A what-if read replays its scenario in read transactions: it never takes
// the writers' lock (the fake fails a write in a read transaction).
func TestScenarioPreviewReadsWithoutTheWritersLock(t *testing.T) {
	s, f := loaded(t)
	_, scn := services(s)
	sc, err := scn.Create(ctx, "Gộp chi bộ", "gc", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scn.AddOperations(ctx, sc.ID, []org.Operation{
		{Type: org.OpMergeOrgs, Sources: []string{"c2"}, TargetID: "c1"},
	}); err != nil {
		t.Fatal(err)
	}
	live, err := s.Orgs(ctx, now(), []string{"c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	f.reset()
	// A new Service has no replay cached: this read replays the scenario.
	c1, err := service(s).Org(ctx, org.View{At: today, Scenario: sc.ID}, "c1")
	if err != nil || c1.Counts.Official != live[0].Counts.Official+live[1].Counts.Official {
		t.Fatalf("c1 in the scenario: %+v, %v; live %+v", c1.Counts, err, live)
	}
	if len(f.only("working_set")) == 0 {
		t.Fatalf("statements %v: the scenario was not replayed", f.names())
	}
	if slices.Contains(f.modes, n4j.AccessModeWrite) || slices.Contains(f.names(), "meta_lock") {
		t.Fatalf("transactions %v, statements %v: want reads only", f.modes, f.names())
	}
	// The replay reads the subtree, and the records and the later history
	// as its working set, in its own transaction, never in a second one
	// that would need a second connection while the first is held.
	replay := f.only("subtree_records")[0].tx
	if c := f.only("working_set"); c[0].tx != replay {
		t.Fatalf("working_set in transaction %v, the replay's is %d", c, replay)
	}
	if len(f.modes) != 3 {
		t.Fatalf("%d transactions, want the scenario read, the revision and the replay", len(f.modes))
	}
}
