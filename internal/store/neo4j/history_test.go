package neo4j

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

// recordedAt is when the changes of history() were recorded.
var recordedAt = time.Date(2024, 5, 1, 8, 30, 15, 123456789, time.UTC)

// history is a history of the dataset, numbered 1 to 6 and listed by
// number, as Export writes it. By effective date, then number, it reads
// 1, 5, 2, 6, 3, 4; changes 4 and 6 are the ones within c2.
func history() []*org.Change {
	ds := sampleDataset()
	gc, m3 := ds[2].Org, ds[7].Member
	oldGC := gc.Clone()
	oldGC.Versions = oldGC.Versions[:1]
	oldGC.Versions[0].Until = org.Forever
	oldM3 := m3.Clone()
	oldM3.Residences = nil
	change := func(seq int64, typ org.ChangeType, on org.Date, issuer string, subjects, scope []string) *org.Change {
		return &org.Change{Seq: seq, Type: typ, EffectiveOn: on,
			Decision: org.Decision{Number: string(rune('0'+seq)) + "-QĐ/ĐU", Date: on, IssuerID: issuer},
			Actor:    "system", RecordedAt: recordedAt, Subjects: subjects, Scope: scope}
	}
	established := change(1, org.ChangeEstablished, founded, "gc", []string{"c1", "gc"}, []string{"c1", "d", "gc", "p"})
	established.After = []org.Record{ds[3]}
	renamed := change(2, org.ChangeRenamed, renamedOn, "d", []string{"gc"}, []string{"d", "gc", "p"})
	renamed.Note = "Đổi tên theo Nghị quyết của Huyện ủy"
	renamed.Before, renamed.After = []org.Record{{Org: &oldGC}}, []org.Record{{Org: gc}}
	residence := change(6, org.ChangeResidenceSet, renamedOn, "gc", []string{"m3", "c1"}, []string{"c1", "c2", "d", "gc", "p"})
	residence.Before, residence.After = []org.Record{{Member: &oldM3}}, []org.Record{{Member: m3}}
	return []*org.Change{
		established,
		renamed,
		change(3, org.ChangeAdmitted, admitted, "gc", []string{"m2", "c1"}, []string{"c1", "d", "gc", "p"}),
		change(4, org.ChangeMemberTransferred, movedOn, "gc", []string{"m4", "c2"}, []string{"c1", "c2", "d", "gc", "p"}),
		change(5, org.ChangeRoleAssigned, org.DateFrom(2015, 1, 1), "gc", []string{"m1", "c1"}, []string{"c1", "d", "gc", "p"}),
		residence,
	}
}

// withHistory is the dataset followed by its history.
func withHistory() []org.Record {
	records := sampleDataset()
	for _, c := range history() {
		records = append(records, org.Record{Change: c})
	}
	return records
}

// loadedWithHistory is a fake store holding the dataset and its history.
func loadedWithHistory(t *testing.T) (*Store, *fakeDB) {
	t.Helper()
	s, f := newFake(t)
	if _, err := s.Import(ctx, &recordList{withHistory()}); err != nil {
		t.Fatal(err)
	}
	f.reset()
	return s, f
}

// seqs are the numbers of changes, in order.
func seqs(changes []org.Change) []int64 {
	out := make([]int64, len(changes))
	for i, c := range changes {
		out[i] = c.Seq
	}
	return out
}

func TestRecordChangeNumbersAtOnceAndWritesAtCommit(t *testing.T) {
	s, f := loaded(t)
	f.replays = 1 // the driver runs the transaction again: the number taken in the first run is rolled back
	change, err := service(s).RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("12-QĐ/ĐU", "gc"))
	if err != nil {
		t.Fatal(err)
	}
	if change.Seq != 1 || change.Type != org.ChangeRenamed || change.EffectiveOn != today ||
		!slices.Equal(change.Scope, []string{"c1", "d", "gc", "p"}) || len(change.Before) != 1 || len(change.After) != 1 {
		t.Fatalf("change %+v", change)
	}
	names := f.names()
	at := func(name string) int { return slices.Index(names, name) }
	if at("decision_date") < 0 || !(at("province_lock") < at("working_set") && at("working_set") < at("decision_date") &&
		at("decision_date") < at("meta_lock") && at("meta_lock") < at("commit")) {
		t.Fatalf("statements %v: want the province locked and the records read, the decision checked, then the counter locked "+
			"as the change is recorded, then the records, the change, the counter and the audit entry written", names)
	}
	if writes := slices.DeleteFunc(slices.Clone(f.modes), func(m n4j.AccessMode) bool { return m != n4j.AccessModeWrite }); len(writes) != 1 {
		t.Fatalf("transactions %v, want one write", f.modes)
	}
	if p := f.only("decision_date")[0].params; !reflect.DeepEqual(p, map[string]any{"issuerId": "gc", "key": "12-qđ/đu"}) {
		t.Fatalf("decision_date params %v", p)
	}
	created := f.only("commit")
	commit := created[len(created)-1].params
	if commit["changeSeq"] != int64(1) || len(commit["audit"].([]any)) != 1 || len(commit["orgs"].([]any)) != 1 {
		t.Fatalf("commit params %v: want the counter moved to 1, the record and the audit entry", commit)
	}
	r := commit["changes"].([]any)[0].(map[string]any)
	if r["seq"] != int64(1) || r["type"] != "RENAMED" || r["effectiveOn"] != dateParam(today) || r["decisionNumber"] != "12-QĐ/ĐU" ||
		r["decisionDate"] != dateParam(today) || r["issuerId"] != "gc" || r["note"] != nil || r["actor"] != org.System.Subject ||
		!reflect.DeepEqual(r["scope"], []string{"c1", "d", "gc", "p"}) || !reflect.DeepEqual(r["subjects"], []string{"c1"}) {
		t.Fatalf("change row %v", r)
	}
	if at, ok := r["recordedAt"].(time.Time); !ok || at.Location() != time.UTC {
		t.Fatalf("recordedAt %#v, want a time in UTC", r["recordedAt"])
	}
	if _, ok := r["before"].(string); !ok {
		t.Fatalf("before %#v, want the records' JSON", r["before"])
	}
	if f.g.changeSeq != 1 || !slices.Equal(f.g.within[1], []string{"c1", "d", "gc", "p"}) {
		t.Fatalf("counter %d, links %v", f.g.changeSeq, f.g.within)
	}

	// The history reads the change back as recorded, records and all.
	page, err := s.Changes(ctx, org.ChangeQuery{First: 10})
	if err != nil || len(page.Changes) != 1 || page.HasNext {
		t.Fatalf("history %+v, %v", page, err)
	}
	if !reflect.DeepEqual(page.Changes[0], change) {
		t.Fatalf("read back\n got %+v\nwant %+v", page.Changes[0], change)
	}

	// A number names one decision: cited again with another date it is
	// refused; another decision, the next number.
	f.replays = 0
	again := decision("12-QĐ/ĐU", "gc")
	again.Decision.Date--
	again.EffectiveOn = again.Decision.Date
	_, err = service(s).RenameOrg(ctx, "c1", "Chi bộ thôn Đông Hai", again)
	wantCode(t, err, org.EConflict)
	next, err := service(s).RenameOrg(ctx, "c1", "Chi bộ thôn Đông Hai", decision("13-QĐ/ĐU", "gc"))
	if err != nil || next.Seq != 2 {
		t.Fatalf("next change %+v, %v", next, err)
	}
}

func TestChangeScopeMayNameOrganisationsOfTheSameTransaction(t *testing.T) {
	s, f := loaded(t)
	change, err := service(s).EstablishOrg(ctx, org.NewOrg{ParentID: "gc", Name: "Chi bộ thôn Bắc", Kind: org.Cell, Sector: org.SectorVillage},
		decision("20-QĐ/ĐU", "gc"))
	if err != nil {
		t.Fatal(err)
	}
	id := change.Subjects[0]
	if !slices.Contains(change.Scope, id) || !slices.Equal(f.g.within[change.Seq], change.Scope) {
		t.Fatalf("scope %v, links %v: want the new organisation linked too", change.Scope, f.g.within[change.Seq])
	}
	page, err := s.Changes(ctx, org.ChangeQuery{Within: id, First: 5})
	if err != nil || !slices.Equal(seqs(page.Changes), []int64{change.Seq}) {
		t.Fatalf("history within the new cell %+v, %v", page, err)
	}
}

func TestChangeWithinAMissingOrganisationIsNotWritten(t *testing.T) {
	s, f := loaded(t)
	err := s.Update(ctx, func(tx org.Tx) error {
		return tx.RecordChange(ctx, &org.Change{Type: org.ChangeRenamed, EffectiveOn: today, Subjects: []string{"c1"}, Scope: []string{"c1", "nope"}})
	})
	wantCode(t, err, org.EInternal)
	if len(f.g.changes) != 0 || f.g.changeSeq != 0 {
		t.Fatalf("changes %v, counter %d: want none written", f.g.changes, f.g.changeSeq)
	}
}

func TestDecisionDateSeesTheTransactionsOwnChanges(t *testing.T) {
	s, f := loadedWithHistory(t)
	rollback := errors.New("rollback")
	err := s.Update(ctx, func(tx org.Tx) error {
		c := &org.Change{Type: org.ChangeRenamed, EffectiveOn: today, Decision: org.Decision{Number: "99", Date: today, IssuerID: "gc"},
			Subjects: []string{"c1"}, Scope: []string{"c1"}}
		if err := tx.RecordChange(ctx, c); err != nil || c.Seq != 7 {
			t.Errorf("RecordChange: seq %d, %v; want the number after the imported history", c.Seq, err)
		}
		f.reset()
		for _, tc := range []struct {
			issuer, number string
			used           bool
			asked          bool
		}{
			{"gc", "99", true, false}, // this transaction's
			{"d", "99", false, true},  // another issuer's decision of that number
			{"d", "2-QĐ/ĐU", true, true},
		} {
			signed, err := tx.DecisionDate(ctx, tc.issuer, tc.number)
			if err != nil || (signed != 0) != tc.used {
				t.Errorf("DecisionDate(%s, %s) = %v, %v", tc.issuer, tc.number, signed, err)
			}
			if asked := len(f.only("decision_date")) > 0; asked != tc.asked {
				t.Errorf("DecisionDate(%s, %s) asked the database: %v", tc.issuer, tc.number, asked)
			}
			f.reset()
		}
		return rollback
	})
	if !errors.Is(err, rollback) || len(f.g.changes) != 6 {
		t.Fatalf("Update = %v, %d changes", err, len(f.g.changes))
	}
}

func TestLinkedMembersAndChildIDsIncludeTheTransactionsPuts(t *testing.T) {
	s, f := loaded(t)
	rollback := errors.New("rollback")
	err := s.Update(ctx, func(tx org.Tx) error {
		// m3 lives in c1 and once had a temporary stint there; m4 left it.
		ids, err := tx.LinkedMembers(ctx, "c1")
		if err != nil || !slices.Equal(ids, []string{"m1", "m2", "m3", "m4"}) {
			t.Errorf("members linked to c1 %v, %v", ids, err)
		}
		if p := f.only("linked_members")[0].params; !reflect.DeepEqual(p, map[string]any{"id": "c1"}) {
			t.Errorf("linked_members params %v", p)
		}
		ids, err = tx.ChildIDs(ctx, "gc")
		if err != nil || !slices.Equal(ids, []string{"c1", "c2"}) {
			t.Errorf("children of gc %v, %v", ids, err)
		}
		if p := f.only("child_ids")[0].params; !reflect.DeepEqual(p, map[string]any{"id": "gc"}) {
			t.Errorf("child_ids params %v", p)
		}

		// A member given a role in c2 and a new cell under c2's parent, both
		// only put so far.
		m1, err := tx.Member(ctx, "m1")
		if err != nil {
			return err
		}
		m1.Roles = append(m1.Roles, org.RoleTerm{Span: open, OrgID: "c2", Role: org.CommitteeMember})
		if err := tx.PutMember(ctx, m1); err != nil {
			return err
		}
		if err := tx.PutOrg(ctx, org.OrgRecord{ID: "c3", Versions: []org.Version{{Span: open, ParentID: "gc", Name: "Chi bộ mới", Kind: org.Cell}}}); err != nil {
			return err
		}
		if ids, err := tx.LinkedMembers(ctx, "c2"); err != nil || !slices.Equal(ids, []string{"m1", "m3", "m4"}) {
			t.Errorf("members linked to c2 %v, %v", ids, err)
		}
		if ids, err := tx.ChildIDs(ctx, "gc"); err != nil || !slices.Equal(ids, []string{"c1", "c2", "c3"}) {
			t.Errorf("children of gc %v, %v", ids, err)
		}
		if ids, err := tx.ChildIDs(ctx, "c3"); err != nil || len(ids) != 0 {
			t.Errorf("children of c3 %v, %v", ids, err)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
}

func TestChangesPagesByEffectiveDateThenNumber(t *testing.T) {
	s, f := loadedWithHistory(t)
	want := history()
	bySeq := map[int64]org.Change{}
	for _, c := range want {
		bySeq[c.Seq] = *c
	}
	var got []org.Change
	q := org.ChangeQuery{First: 2}
	for range 3 {
		page, err := s.Changes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Changes...)
		if !page.HasNext {
			break
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	if !slices.Equal(seqs(got), []int64{1, 5, 2, 6, 3, 4}) {
		t.Fatalf("history %v", seqs(got))
	}
	for _, c := range got {
		if !reflect.DeepEqual(c, bySeq[c.Seq]) {
			t.Errorf("change %d\n got %+v\nwant %+v", c.Seq, c, bySeq[c.Seq])
		}
	}
	calls := f.only("changes_page")
	if len(calls) != 3 || len(f.modes) != 3 {
		t.Fatalf("%d pages in %d transactions", len(calls), len(f.modes))
	}
	if p := calls[0].params; !reflect.DeepEqual(p, map[string]any{"fromOn": dateParam(firstDate), "fromSeq": int64(0),
		"until": dateParam(pastForever), "types": nil, "limit": int64(3)}) {
		t.Fatalf("first page params %v", p)
	}
	if p := calls[1].params; p["fromOn"] != dateParam(org.DateFrom(2015, 1, 1)) || p["fromSeq"] != int64(5) {
		t.Fatalf("second page params %v, want the position of change 5", p)
	}
	if p := calls[2].params; p["fromOn"] != dateParam(renamedOn) || p["fromSeq"] != int64(6) {
		t.Fatalf("third page params %v, want the position of change 6", p)
	}
}

func TestChangesFilters(t *testing.T) {
	s, f := loadedWithHistory(t)
	cursor := func(seq int64) string {
		for _, c := range history() {
			if c.Seq == seq {
				return org.ChangeCursor(c)
			}
		}
		panic(seq)
	}
	for _, tc := range []struct {
		name      string
		q         org.ChangeQuery
		want      []int64
		statement string
		params    map[string]any // those to check
	}{
		{"since", org.ChangeQuery{Since: renamedOn}, []int64{2, 6, 3, 4}, "changes_page",
			map[string]any{"fromOn": dateParam(renamedOn), "fromSeq": int64(0)}},
		{"since after the cursor", org.ChangeQuery{Since: renamedOn, After: cursor(5)}, []int64{2, 6, 3, 4}, "changes_page",
			map[string]any{"fromOn": dateParam(renamedOn), "fromSeq": int64(0)}},
		{"cursor on the since date", org.ChangeQuery{Since: renamedOn, After: cursor(2)}, []int64{6, 3, 4}, "changes_page",
			map[string]any{"fromOn": dateParam(renamedOn), "fromSeq": int64(2)}},
		{"until", org.ChangeQuery{Until: movedOn}, []int64{1, 5, 2, 6, 3}, "changes_page",
			map[string]any{"until": dateParam(movedOn)}},
		{"types", org.ChangeQuery{Types: []org.ChangeType{org.ChangeResidenceSet, org.ChangeMemberTransferred}}, []int64{6, 4}, "changes_page",
			map[string]any{"types": []string{"RESIDENCE_SET", "MEMBER_TRANSFERRED"}}},
		{"within", org.ChangeQuery{Within: "c2"}, []int64{6, 4}, "changes_within_page",
			map[string]any{"within": "c2", "limit": int64(11)}},
		{"within and since", org.ChangeQuery{Within: "c2", Since: admitted}, []int64{4}, "changes_within_page",
			map[string]any{"within": "c2", "fromOn": dateParam(admitted)}},
		{"within a missing organisation", org.ChangeQuery{Within: "nope"}, nil, "changes_within_page", nil},
		{"an empty range", org.ChangeQuery{Since: movedOn, Until: movedOn}, nil, "changes_page", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.reset()
			q := tc.q
			q.First = 10
			page, err := s.Changes(ctx, q)
			if err != nil || page.HasNext || !slices.Equal(seqs(page.Changes), tc.want) {
				t.Fatalf("changes %v (more: %v), %v; want %v", seqs(page.Changes), page.HasNext, err, tc.want)
			}
			if got := f.names(); !slices.Equal(got, []string{tc.statement}) {
				t.Fatalf("statements %v", got)
			}
			p := f.calls[0].params
			for key, want := range tc.params {
				if !reflect.DeepEqual(p[key], want) {
					t.Errorf("%s = %v, want %v", key, p[key], want)
				}
			}
			for _, c := range page.Changes {
				if !q.Matches(&c) {
					t.Errorf("change %d does not match the query", c.Seq)
				}
			}
		})
	}

	f.reset()
	_, err := s.Changes(ctx, org.ChangeQuery{First: 10, After: "not a cursor"})
	wantCode(t, err, org.EInvalid)
	_, err = s.Changes(ctx, org.ChangeQuery{First: 10, Types: []org.ChangeType{org.NumChangeTypes}})
	wantCode(t, err, org.EInvalid)
	if len(f.calls) != 0 {
		t.Fatalf("a bad query reached the database: %v", f.names())
	}
}

func TestChangeCountsByType(t *testing.T) {
	s, f := loadedWithHistory(t)
	counts, err := s.ChangeCounts(ctx, org.ChangeQuery{First: 1, After: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	var want org.ChangeCounts
	for _, c := range history() {
		want[c.Type]++
	}
	if counts != want {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	if p := f.only("change_counts")[0].params; !reflect.DeepEqual(p, map[string]any{
		"since": dateParam(firstDate), "until": dateParam(pastForever), "types": nil}) {
		t.Fatalf("change_counts params %v", p)
	}

	f.reset()
	counts, err = s.ChangeCounts(ctx, org.ChangeQuery{Within: "c2", Since: renamedOn, Until: movedOn + 1,
		Types: []org.ChangeType{org.ChangeResidenceSet, org.ChangeMemberTransferred, org.ChangeRenamed}})
	want = org.ChangeCounts{}
	want[org.ChangeResidenceSet], want[org.ChangeMemberTransferred] = 1, 1
	if err != nil || counts != want {
		t.Fatalf("counts within c2 %v, %v", counts, err)
	}
	if p := f.only("change_counts_within")[0].params; !reflect.DeepEqual(p, map[string]any{
		"within": "c2", "since": dateParam(renamedOn), "until": dateParam(movedOn + 1),
		"types": []string{"RESIDENCE_SET", "MEMBER_TRANSFERRED", "RENAMED"}}) {
		t.Fatalf("change_counts_within params %v", p)
	}

	for _, bad := range []row{{"type": "CLUB_FOUNDED", "changes": int64(1)}, {"type": "RENAMED", "changes": "1"}} {
		f.answer["change_counts"] = func(map[string]any) []row { return []row{bad} }
		if _, err := s.ChangeCounts(ctx, org.ChangeQuery{}); err == nil {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestImportExportRoundTripWithHistory(t *testing.T) {
	s, f := newFake(t)
	stats, err := s.Import(ctx, &recordList{withHistory()})
	if err != nil || stats != (org.ImportStats{Orgs: 5, Members: 4, Changes: 6}) {
		t.Fatalf("Import = %+v, %v", stats, err)
	}
	// Six changes in batches of two, each a transaction of its own, after the
	// members; the counter is moved in the last transaction.
	changes, members := f.commitsOf("changes"), f.commitsOf("members")
	if len(changes) != 3 {
		t.Fatalf("%d batches of changes, want 3", len(changes))
	}
	if changes[0].tx < members[len(members)-1].tx {
		t.Fatalf("statements %v: changes before members", f.names())
	}
	last := f.calls[len(f.calls)-1]
	if last.name != "commit" || last.params["changeSeq"] != int64(6) || len(f.modes) != 1+1+3+3+2+3+3+len(f.commitsOf("countChanges"))+1 {
		t.Fatalf("statements %v in %d transactions, the last %v", f.names(), len(f.modes), last.params)
	}
	first := changes[0].params["changes"].([]any)
	if r := first[0].(map[string]any); r["seq"] != int64(1) || r["type"] != "ESTABLISHED" || r["before"] != nil || r["note"] != nil {
		t.Fatalf("first change row %v", r)
	}

	f.reset()
	var out recordList
	if err := s.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if got := f.names(); !slices.Equal(got, []string{"org_ids_after", "org_records", "member_ids_after", "member_records", "changes_after"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.only("changes_after")[0].params; !reflect.DeepEqual(p, map[string]any{"after": int64(0), "limit": int64(exportChangePage)}) {
		t.Fatalf("changes_after params %v", p)
	}
	want := history()
	if len(out.records) != 9+len(want) {
		t.Fatalf("exported %d records", len(out.records))
	}
	for i, c := range want {
		if got := out.records[9+i]; got.Change == nil || !reflect.DeepEqual(*got.Change, *c) {
			t.Errorf("record %d\n got %+v\nwant %+v", 9+i, got.Change, c)
		}
	}

	// The next change is numbered after the imported history.
	change, err := service(s).RenameOrg(ctx, "c1", "Chi bộ thôn Đông Mới", decision("12-QĐ/ĐU", "gc"))
	if err != nil || change.Seq != 7 {
		t.Fatalf("next change %+v, %v", change, err)
	}
}

func TestExportPagesChangesByNumber(t *testing.T) {
	s, f := loaded(t)
	f.answer["changes_after"] = func(p map[string]any) []row {
		after := p["after"].(int64)
		n := exportChangePage
		if after > 0 {
			n = 1
		}
		page := make([]row, n)
		for i := range page {
			page[i] = row{"seq": after + int64(i) + 1, "type": "RENAMED", "effectiveOn": dateParam(today)}
		}
		return page
	}
	var out recordList
	if err := s.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	pages := f.only("changes_after")
	if len(pages) != 2 || pages[1].params["after"] != int64(exportChangePage) {
		t.Fatalf("pages %v", pages)
	}
	if last := out.records[len(out.records)-1].Change; len(out.records) != 9+exportChangePage+1 || last == nil || last.Seq != exportChangePage+1 {
		t.Fatalf("exported %d records, the last %+v", len(out.records), last)
	}
}

func TestImportRefusesABadHistoryWritingNothing(t *testing.T) {
	for name, spoil := range map[string]func(records []org.Record) []org.Record{
		"a change numbered 0":  func(rs []org.Record) []org.Record { rs[9].Change.Seq = 0; return rs },
		"a number twice":       func(rs []org.Record) []org.Record { rs[10].Change.Seq = 1; return rs },
		"numbers out of order": func(rs []org.Record) []org.Record { rs[9], rs[10] = rs[10], rs[9]; return rs },
		"an unknown type":      func(rs []org.Record) []org.Record { rs[9].Change.Type = org.NumChangeTypes; return rs },
		"no effective date":    func(rs []org.Record) []org.Record { rs[9].Change.EffectiveOn = 0; return rs },
		"a missing organisation in scope": func(rs []org.Record) []org.Record {
			rs[9].Change.Scope = append(rs[9].Change.Scope, "nope")
			return rs
		},
		"a member after a change": func(rs []org.Record) []org.Record { return append(rs, sampleDataset()[5]) },
		"a change that is also an organisation": func(rs []org.Record) []org.Record {
			rs[9].Org = rs[0].Org
			return rs
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, f := newFake(t)
			_, err := s.Import(ctx, &recordList{spoil(withHistory())})
			wantCode(t, err, org.EInvalid)
			if got := f.names(); !slices.Equal(got, []string{"import_state"}) {
				t.Fatalf("statements %v, want only the emptiness check", got)
			}
		})
	}
}

func TestDecodeChangeFromDriverValues(t *testing.T) {
	good := func() row {
		return row{"seq": int64(3), "type": "MERGED", "effectiveOn": dateParam(today), "decisionDate": nil,
			"recordedAt": time.Date(2024, 6, 1, 15, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
			"subjects":   []any{"a", "b"}, "scope": []any{"p"}, "before": nil,
			"after": `[{"org":{"id":"x","versions":[{"since":"2024-06-01","until":"9999-12-31","name":"X","kind":"CELL","sector":"OTHER"}]}}]`}
	}
	c, err := decodeChange(good())
	if err != nil {
		t.Fatal(err)
	}
	want := org.Change{Seq: 3, Type: org.ChangeMerged, EffectiveOn: today, RecordedAt: time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC),
		Subjects: []string{"a", "b"}, Scope: []string{"p"},
		After: []org.Record{{Org: &org.OrgRecord{ID: "x", Versions: []org.Version{{Span: org.Span{Since: today, Until: org.Forever}, Name: "X", Kind: org.Cell}}}}}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	for key, bad := range map[string]any{
		"type": "CLUB_FOUNDED", "seq": "3", "effectiveOn": "2024-06-01", "recordedAt": "yesterday",
		"subjects": []any{1}, "after": `[{"org":`, "before": []any{},
	} {
		r := good()
		r[key] = bad
		if _, err := decodeChange(r); err == nil {
			t.Errorf("%s = %#v decoded", key, bad)
		}
	}
}

// TestLastSeqReadsTheCounter: the live feed's poll reads the number of the
// last change recorded, in one statement.
func TestLastSeqReadsTheCounter(t *testing.T) {
	s, f := loadedWithHistory(t)
	want := history()[len(history())-1].Seq
	if got, err := s.LastSeq(ctx); err != nil || got != want {
		t.Fatalf("LastSeq = %d, %v; want %d", got, err, want)
	}
	if got := f.names(); !slices.Equal(got, []string{"change_seq_last"}) {
		t.Fatalf("statements %v, want [change_seq_last]", got)
	}
}
