package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"dangbo/internal/org"
)

// draft is a scenario of the suite, created at the given time (UTC, to the
// millisecond, as every store keeps it).
func draft(id, name string, createdAt time.Time) org.Scenario {
	return org.Scenario{
		ID: id, Name: name, Within: "ocommune", BaseAsOf: today, Status: org.ScenarioOpen,
		CreatedBy: "system", CreatedAt: createdAt, UpdatedAt: createdAt.Add(time.Minute),
		Ops: []org.Operation{
			{Key: 1, Type: org.OpTransferOrg, ID: "x", ParentID: "y"},
			{Key: 2, Type: org.OpRenameOrg, ID: "x", Name: "Chi bộ thôn Đông Mới", Note: "đổi tên"},
		},
		Undone:  []org.Operation{{Key: 3, Type: org.OpDissolveOrg, ID: "z", Destination: org.Destination{MembersTo: "x", ChildrenTo: "y"}}},
		NextKey: 4,
		Reads:   map[string]int64{"x": 2, "y": 5},
	}
}

// wantScenario fails unless got is want: times compared as instants, the
// rest field by field.
func wantScenario(t *testing.T, got org.Scenario, want org.Scenario) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("scenario %s times %v, %v, want %v, %v", want.ID, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scenario\n got %+v\nwant %+v", got, want)
	}
}

func (f *fixture) putScenario(sc org.Scenario) error {
	return f.s.Update(f.ctx, func(tx org.Tx) error { return tx.PutScenario(f.ctx, sc) })
}

func testScenarios(t *testing.T, f *fixture) {
	created := time.Date(2024, 5, 1, 8, 30, 15, 123e6, time.UTC)
	_, err := f.s.Scenario(f.ctx, "snope")
	wantCode(t, err, org.ENotFound, "")
	if all, err := f.s.Scenarios(f.ctx); err != nil || len(all) != 0 {
		t.Fatalf("Scenarios of an empty store = %v, %v", all, err)
	}

	// A new scenario is written with the next rev, read back whole.
	s1 := draft("s1", "Sáp nhập thôn", created)
	if err := f.putScenario(s1); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Scenario(f.ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	s1.Rev = 1
	wantScenario(t, got, s1)

	// Newest first, then by id.
	s2 := draft("s2", "Giải thể chi bộ", created.Add(time.Hour))
	s0 := draft("s0", "Cùng lúc với s1", created)
	s0.Status, s0.Ops, s0.Undone, s0.Reads = org.ScenarioDiscarded, nil, nil, nil
	for _, sc := range []org.Scenario{s2, s0} {
		if err := f.putScenario(sc); err != nil {
			t.Fatal(err)
		}
	}
	s2.Rev, s0.Rev = 1, 1
	all, err := f.s.Scenarios(f.ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("Scenarios = %+v, %v", all, err)
	}
	for i, want := range []org.Scenario{s2, s0, s1} {
		wantScenario(t, all[i], want)
	}

	// A write built on a stale read, or a new scenario under an id that
	// exists, is refused and leaves the scenario as it was.
	for _, rev := range []int64{0, 2} {
		stale := got
		stale.Rev, stale.Name = rev, "Cũ"
		wantCode(t, f.putScenario(stale), org.EConflict, "")
	}
	// The right rev writes, and the next.
	got.Name, got.Status = "Sáp nhập thôn (sửa)", org.ScenarioApplied
	got.Applied = &org.Meta{Decision: org.Decision{Number: "1-QĐ/TU", Date: today, IssuerID: "oprov"}, EffectiveOn: today}
	if err := f.putScenario(got); err != nil {
		t.Fatal(err)
	}
	updated, err := f.s.Scenario(f.ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	got.Rev = 2
	wantScenario(t, updated, got)

	// A transaction reads its own write and puts again from it; when it
	// fails, none of its writes is left.
	boom := errors.New("boom")
	err = f.s.Update(f.ctx, func(tx org.Tx) error {
		sc, err := tx.Scenario(f.ctx, "s1")
		if err != nil || sc.Rev != 2 {
			t.Errorf("Tx.Scenario = %+v, %v", sc, err)
		}
		sc.Name = "Bỏ dở"
		if err := tx.PutScenario(f.ctx, sc); err != nil {
			return err
		}
		wantCode(t, tx.PutScenario(f.ctx, sc), org.EConflict, "") // rev 2 is no longer the current one
		own, err := tx.Scenario(f.ctx, "s1")
		if err != nil || own.Rev != 3 || own.Name != "Bỏ dở" {
			t.Errorf("read own write = %+v, %v", own, err)
		}
		if err := tx.PutScenario(f.ctx, own); err != nil {
			t.Errorf("put again from the own write: %v", err)
		}
		if err := tx.PutScenario(f.ctx, draft("s3", "Mới", created)); err != nil {
			return err
		}
		if sc, err := tx.Scenario(f.ctx, "s3"); err != nil || sc.Rev != 1 {
			t.Errorf("read own new scenario = %+v, %v", sc, err)
		}
		_, err = tx.Scenario(f.ctx, "snope")
		wantCode(t, err, org.ENotFound, "")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v", err)
	}
	after, err := f.s.Scenario(f.ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	wantScenario(t, after, got)
	_, err = f.s.Scenario(f.ctx, "s3")
	wantCode(t, err, org.ENotFound, "")
	if all, err := f.s.Scenarios(f.ctx); err != nil || len(all) != 3 {
		t.Fatalf("Scenarios after a failed update = %+v, %v", all, err)
	}

	// Scenarios are drafts: they stay out of the dataset.
	if recs := exportAll(t, f); len(recs) != 0 {
		t.Fatalf("export of a store holding only scenarios: %+v", recs)
	}
}
