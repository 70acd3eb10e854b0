package neo4j

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
	"dangbo/internal/scenario"
)

// service is a domain Service over s that reads scenarios' views.
func service(s *Store) *org.Service {
	svc, _ := services(s)
	return svc
}

// services are a domain Service over s and its scenarios.
func services(s *Store) (*org.Service, *scenario.Service) {
	svc := org.NewService(s, func() org.Date { return today })
	return svc, scenario.New(svc, s)
}

func TestCreateOrgWritesRecountsAndMovesTheHorizon(t *testing.T) {
	s, f := loaded(t)
	cell, err := service(s).CreateOrg(ctx, org.NewOrg{ParentID: "gc", Name: "Chi bộ thôn Tây", Kind: org.Cell, Sector: org.SectorVillage})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"province_lock", "org_records", // the parent's province locked, then the parent
		"org_records", // the new id, to learn it is new (no lock: a new record has no province yet)
		"orgs_above",  // the parent's chain with its counts, to recount from
		"commit",      // the write, the counts it changes, the action and the Update's key
		"org_records", // the service reads the new cell back
	}
	if got := f.names(); !slices.Equal(got, want) {
		t.Fatalf("statements\n got %v\nwant %v", got, want)
	}
	if !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeWrite, n4j.AccessModeRead}) {
		t.Fatalf("transactions %v", f.modes)
	}
	commit := f.only("commit")[0].params
	row := commit["orgs"].([]any)[0].(map[string]any)
	if row["id"] != cell.ID || row["rev"] != int64(1) || row["nameKey"] != "chi bo thon tay" || row["kind"] != "CELL" ||
		row["sector"] != "VILLAGE" || row["established"] != dateValue(today) || row["ended"] != nil || row["code"] != nil {
		t.Fatalf("org row %v", row)
	}
	part := commit["parts"].([]any)[0].(map[string]any)
	if len(commit["versions"].([]any)) != 1 || part["parentId"] != "gc" || part["since"] != dateValue(today) || part["until"] != nil {
		t.Fatalf("facts %v", commit)
	}
	if ids := f.only("orgs_above")[0].params["ids"]; !reflect.DeepEqual(ids, []string{cell.ID, "gc"}) {
		t.Fatalf("orgs_above ids %v", ids)
	}
	var recounted []string
	for _, r := range commit["counts"].([]any) {
		recounted = append(recounted, r.(map[string]any)["id"].(string))
	}
	if !slices.Equal(recounted, []string{"d", "gc", "p"}) {
		t.Fatalf("counts written for %v, want the changed ancestors (an empty cell's counts are already zero)", recounted)
	}
	if commit["revised"] != true || len(commit["audit"].([]any)) != 1 || commit["commit"] == nil {
		t.Fatalf("commit %v: want the revision moved, the action and the Update's key", commit)
	}
	// Each count changes today, the day the cell appears.
	for _, r := range commit["countChanges"].([]any) {
		if r := r.(map[string]any); r["since"] != dateParam(today) {
			t.Fatalf("count change %v, want today's", r)
		}
	}
	gc, _ := s.Org(ctx, now(), "gc")
	if gc.Counts.Children != 3 || gc.Counts.CellsBySector[org.SectorVillage] != 2 || gc.Counts.Members() != 4 {
		t.Fatalf("commune counts %+v", gc.Counts)
	}
	if p, _ := s.Org(ctx, now(), "p"); p.Counts.ByKind[org.Cell] != 3 {
		t.Fatalf("province counts %+v", p.Counts)
	}
	// Before the new cell existed the past is unchanged.
	if gc, _ := s.Org(ctx, org.View{At: today - 1}, "gc"); gc.Counts != communeCounts {
		t.Fatalf("commune counts the day before %+v", gc.Counts)
	}
}

func TestCreateMemberRecountsItsCell(t *testing.T) {
	s, f := loaded(t)
	m, err := service(s).CreateMember(ctx, org.NewMember{CellID: "c2", FullName: "Đỗ Văn Em", Status: org.Probationary})
	if err != nil {
		t.Fatal(err)
	}
	if m.CellID != "c2" || m.Status != org.Probationary {
		t.Fatalf("member %+v", m)
	}
	stint := f.only("commit")[0].params["stints"].([]any)[0].(map[string]any)
	if stint["id"] != m.ID || stint["orgId"] != "c2" || stint["pos"] != int64(0) || stint["temporary"] != false || stint["until"] != nil {
		t.Fatalf("stint row %v", stint)
	}
	for id, want := range map[string]int32{"c2": 1, "gc": 2, "p": 2} {
		if o, _ := s.Org(ctx, now(), id); o.Counts.Probationary != want {
			t.Fatalf("%s counts %+v", id, o.Counts)
		}
	}
	if c2, _ := s.Org(ctx, now(), "c2"); c2.Counts != cellCounts(2, 1) {
		t.Fatalf("c2 counts %+v", c2.Counts)
	}
}

func TestSetResidenceReplacesTheMembersFacts(t *testing.T) {
	s, f := loaded(t)
	if _, err := service(s).SetResidence(ctx, "m4", "c1", decision("07-QĐ/ĐU", "gc")); err != nil {
		t.Fatal(err)
	}
	created := f.only("commit")[0].params
	if ids := created["memberFacts"]; !reflect.DeepEqual(ids, []string{"m4"}) {
		t.Fatalf("member facts replaced of %v", ids)
	}
	if len(created["stints"].([]any)) != 2 || len(created["residences"].([]any)) != 1 {
		t.Fatalf("facts %v", created)
	}
	page, _ := s.Residents(ctx, now(), "c1", org.PageQuery{First: 10})
	if page.Total != 2 {
		t.Fatalf("residents %+v", page)
	}
	// A residence link does not change where the member is counted.
	if c1, _ := s.Org(ctx, now(), "c1"); c1.Counts != cellCounts(1, 1) {
		t.Fatalf("c1 counts %+v", c1.Counts)
	}
}

func TestStalePutConflictsAndWritesNothing(t *testing.T) {
	s, f := loaded(t)
	var stale org.OrgRecord
	if err := s.Update(ctx, func(tx org.Tx) (err error) { stale, err = tx.Org(ctx, "c1"); return err }); err != nil {
		t.Fatal(err)
	}
	if stale.Rev != 1 {
		t.Fatalf("rev after import %d", stale.Rev)
	}
	rename := func(name string) error {
		return s.Update(ctx, func(tx org.Tx) error {
			r := stale.Clone()
			r.Versions[0].Name = name
			return tx.PutOrg(ctx, r)
		})
	}
	if err := rename("Chi bộ thôn Đông Một"); err != nil {
		t.Fatal(err)
	}
	f.reset()
	wantCode(t, rename("Chi bộ thôn Đông Hai"), org.EConflict)
	if slices.Contains(f.names(), "commit") {
		t.Fatalf("a conflicting put wrote: %v", f.names())
	}
	if o, _ := s.Org(ctx, now(), "c1"); o.Name != "Chi bộ thôn Đông Một" {
		t.Fatalf("name %q", o.Name)
	}
	if rec, _ := loadOrgRecords(ctx, fakeQuerier{f: f, tx: &fakeTx{}}, []string{"c1"}); rec["c1"].Rev != 2 {
		t.Fatalf("rev after one put %d", rec["c1"].Rev)
	}
}

func TestTransactionReadsItsOwnPuts(t *testing.T) {
	s, _ := loaded(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx org.Tx) error {
		r, err := tx.Org(ctx, "c2")
		if err != nil {
			return err
		}
		r.Versions[0].Name = "Chi bộ Trường Mầm non"
		if err := tx.PutOrg(ctx, r); err != nil {
			return err
		}
		again, err := tx.Org(ctx, "c2")
		if err != nil || again.Versions[0].Name != "Chi bộ Trường Mầm non" || again.Rev != r.Rev+1 {
			t.Errorf("read own put: %+v, %v", again, err)
		}
		// The record as first read is stale now; the one read back is not.
		wantCode(t, tx.PutOrg(ctx, r), org.EConflict)
		if err := tx.PutOrg(ctx, again); err != nil {
			t.Errorf("put of the record read back: %v", err)
		}
		_, err = tx.Member(ctx, "nope")
		wantCode(t, err, org.ENotFound)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if o, _ := s.Org(ctx, now(), "c2"); o.Name != "Chi bộ Trường Tiểu học" {
		t.Fatalf("a failed update left its write: %q", o.Name)
	}
}

func TestUpdateStartsAfreshWhenTheDriverRetries(t *testing.T) {
	s, f := loaded(t)
	f.replays = 1
	runs := 0
	err := s.Update(ctx, func(tx org.Tx) error {
		runs++
		r, err := tx.Member(ctx, "m2")
		if err != nil {
			return err
		}
		r.OfficialOn = &today
		return tx.PutMember(ctx, r)
	})
	if err != nil || runs != 2 {
		t.Fatalf("Update = %v after %d runs", err, runs)
	}
	if locks := f.only("province_lock"); len(locks) != 2 {
		t.Fatalf("%d locks, want one a run", len(locks))
	}
	if c1, _ := s.Org(ctx, now(), "c1"); c1.Counts != cellCounts(2, 0) {
		t.Fatalf("c1 counts %+v", c1.Counts)
	}
	if m, _ := s.Member(ctx, now(), "m2"); m.Status != org.Official {
		t.Fatalf("m2 %+v", m)
	}
}

func TestPutOfAMissingParentFails(t *testing.T) {
	s, _ := loaded(t)
	err := s.Update(ctx, func(tx org.Tx) error {
		return tx.PutOrg(ctx, org.OrgRecord{ID: "orphan", Versions: []org.Version{{Span: open, ParentID: "nope", Name: "Mồ côi", Kind: org.Cell}}})
	})
	wantCode(t, err, org.EInternal)
	if _, err := s.Org(ctx, now(), "orphan"); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("the orphan was written: %v", err)
	}
	wantCode(t, s.Update(ctx, func(tx org.Tx) error { return tx.PutOrg(ctx, org.OrgRecord{ID: "empty"}) }), org.EInternal)
}

// A commit whose acknowledgement is lost (the connection drops during it) is
// applied, but the driver reports a connectivity error and does not retry:
// Update runs again, recognises its own commit by its key, and answers as it.
func TestUpdateWhoseAcknowledgementWasLostAnswersAsCommitted(t *testing.T) {
	s, f := loaded(t)
	svc := service(s)
	f.loseAcks = true
	change, err := svc.RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("12-QĐ/ĐU", "gc"))
	if err != nil {
		t.Fatalf("RenameOrg = %v, want it answered as applied", err)
	}
	if change.Seq != 1 {
		t.Fatalf("change %+v", change)
	}
	if got := f.names(); slices.Index(got, "commit") < 0 ||
		!slices.Equal(got[slices.Index(got, "commit")+1:], []string{"meta_lock"}) || len(f.only("commit")) != 1 {
		t.Fatalf("statements %v: want one run that writes, then one that only finds its key", got)
	}
	if page, _ := s.Changes(ctx, org.ChangeQuery{First: 10}); len(page.Changes) != 1 {
		t.Fatalf("%d changes recorded, want 1", len(page.Changes))
	}

	// The scenario a lost acknowledgement created is there once, at rev 1.
	sc, err := scenario.New(svc, s).Create(ctx, "Sáp nhập", "gc", 0)
	if err != nil || sc.Rev != 1 {
		t.Fatalf("CreateScenario = %+v, %v", sc, err)
	}
	if list, _ := s.Scenarios(ctx); len(list) != 1 || list[0].Rev != 1 {
		t.Fatalf("scenarios %+v", list)
	}

	// A run that failed before committing runs fn again, from scratch.
	f.loseAcks = false
	f.reset()
	f.fail["commit"] = &n4j.ConnectivityError{Inner: errors.New("EOF")}
	runs := 0
	err = s.Update(ctx, func(tx org.Tx) error { runs++; return tx.Audit(ctx, org.AuditEntry{Action: "x"}) })
	wantCode(t, err, org.EUnavailable)
	if runs != maxCommitAttempts {
		t.Fatalf("%d runs, want %d", runs, maxCommitAttempts)
	}
}
