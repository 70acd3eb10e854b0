package neo4j

import (
	"fmt"
	"slices"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

func TestAuditIsWrittenWithTheChangeAndListedNewestFirst(t *testing.T) {
	s, f := loaded(t)
	officer := org.WithPrincipal(ctx, &org.Principal{Subject: "can-bo", Roles: []org.AccessRole{org.Officer},
		Scope: []string{"p"}, Address: "10.0.0.7:5123"})
	if _, err := service(s).CreateOrg(ctx, org.NewOrg{ParentID: "gc", Name: "Chi bộ thôn Tây", Kind: org.Cell, Sector: org.SectorVillage}); err != nil {
		t.Fatal(err)
	}
	// A refused action is recorded in a transaction of its own.
	f.calls, f.modes = nil, nil
	_, err := service(s).CreateOrg(officer, org.NewOrg{ParentID: "gc", Name: "Chi bộ", Kind: org.Cell})
	wantCode(t, err, org.EForbidden)
	if got := f.names(); !slices.Equal(got, []string{"commit"}) || !slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeWrite}) {
		t.Fatalf("refusal recorded by %v in %v", got, f.modes)
	}
	entry := f.only("commit")[0].params["audit"].([]any)[0].(map[string]any)
	if entry["subject"] != "can-bo" || entry["address"] != "10.0.0.7:5123" || entry["action"] != "createOrg" ||
		entry["outcome"] != org.EForbidden || !slices.Equal(entry["roles"].([]string), []string{"officer"}) {
		t.Fatalf("audit row %v", entry)
	}
	if _, ok := entry["at"].(time.Time); !ok {
		t.Fatalf("at is %T", entry["at"])
	}

	page, err := s.AuditLog(ctx, org.AuditQuery{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || !page.HasNext || page.Entries[0].Seq != 2 || page.Entries[0].Outcome != org.EForbidden ||
		!slices.Equal(page.Entries[0].Roles, []org.AccessRole{org.Officer}) {
		t.Fatalf("newest entry %+v", page)
	}
	page, err = s.AuditLog(ctx, org.AuditQuery{First: 5, Before: 2})
	if err != nil || len(page.Entries) != 1 || page.HasNext || page.Entries[0].Subject != "system" || page.Entries[0].Outcome != "" {
		t.Fatalf("older entries %+v, %v", page, err)
	}
	if p := f.only("audit_log")[1].params; p["before"] != int64(2) || p["limit"] != int64(6) {
		t.Fatalf("audit_log params %v", p)
	}
	// The count reads no entry: Neo4j's count store answers it.
	f.calls, f.modes = nil, nil
	if n, err := s.AuditCount(ctx); err != nil || n != 2 || !slices.Equal(f.names(), []string{"audit_count"}) ||
		!slices.Equal(f.modes, []n4j.AccessMode{n4j.AccessModeRead}) {
		t.Fatalf("AuditCount = %d, %v by %v in %v", n, err, f.names(), f.modes)
	}
}

func TestAuditEntriesOfOneTransactionAreNumberedInOrder(t *testing.T) {
	s, f := loaded(t)
	if err := s.Update(ctx, func(tx org.Tx) error {
		for _, action := range []string{"a", "b", "c"} {
			if err := tx.Audit(ctx, org.AuditEntry{Action: action}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.only("commit")); n != 1 {
		t.Fatalf("%d commit statements, want the entries in one", n)
	}
	page, err := s.AuditLog(ctx, org.AuditQuery{First: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Entries {
		got = append(got, fmt.Sprint(e.Seq, e.Action))
	}
	if !slices.Equal(got, []string{"3c", "2b", "1a"}) {
		t.Fatalf("log %v", got)
	}
}
