package neo4j

import (
	"context"
	"reflect"
	"slices"
	"testing"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"dangbo/internal/org"
)

func TestImportWritesBatchesThenCountsAndHorizon(t *testing.T) {
	s, f := newFake(t)
	stats, err := s.Import(context.Background(), &recordList{sampleDataset()})
	if err != nil {
		t.Fatal(err)
	}
	if stats != (org.ImportStats{Orgs: 5, Members: 4}) {
		t.Fatalf("stats = %+v", stats)
	}
	// Batches of two: five organisations make three batches of nodes, then
	// three of facts; four members make two batches, their five counts
	// three, then the dated changes of counts. Each batch is a transaction
	// of its own, after the claim, and notes the import alive; the last
	// moves the revision and releases the claim.
	changes := f.commitsOf("countChanges")
	want := []string{"import_state", "import_claim"}
	for range 3 + 3 + 2 + 3 + len(changes) + 1 {
		want = append(want, "import_beat", "commit")
	}
	if got := f.names(); !slices.Equal(got, want) || len(changes) == 0 {
		t.Fatalf("statements\n got %v\nwant %v", got, want)
	}
	if writes := slices.Index(f.modes, n4j.AccessModeRead); writes != 0 || len(f.modes) != 1+1+3+3+2+3+len(changes)+1 {
		t.Fatalf("transactions %v: want one read, the claim, then one write a batch and one to end", f.modes)
	}
	if parts := [][]call{f.commitsOf("orgs"), f.commitsOf("versions"), f.commitsOf("members"), f.commitsOf("counts")}; len(parts[0]) != 3 ||
		len(parts[1]) != 3 || len(parts[2]) != 2 || len(parts[3]) != 3 || parts[0][2].tx > parts[1][0].tx || parts[1][2].tx > parts[2][0].tx {
		t.Fatalf("statements %v: want organisations, then their facts, then members, then counts", f.names())
	}
	if last := f.calls[len(f.calls)-1].params; last["revised"] != true {
		t.Fatalf("last commit %v, want the revision moved", last)
	}
	// m4 moved from c1 to c2 on movedOn: a change of both cells' counts then.
	var moved []string
	for _, c := range changes {
		for _, r := range c.params["countChanges"].([]any) {
			if r := r.(map[string]any); r["since"] == dateParam(movedOn) {
				moved = append(moved, r["id"].(string))
			}
		}
	}
	if !slices.Contains(moved, "c1") || !slices.Contains(moved, "c2") {
		t.Fatalf("counts changed on %s for %v, want c1 and c2", movedOn, moved)
	}
	first := f.commitsOf("orgs")[0].params["orgs"].([]any)[0].(map[string]any)
	if first["id"] != "p" || first["rev"] != int64(1) || first["nameKey"] != "dang bo tinh vinh phuc" ||
		first["kind"] != "PROVINCE" || first["ended"] != nil || first["established"] != dateValue(founded) {
		t.Fatalf("first org row = %v", first)
	}
	// Every organisation is counted: five rows over three batches.
	var counted int
	for _, c := range f.commitsOf("counts") {
		counted += len(c.params["counts"].([]any))
	}
	if counted != 5 {
		t.Fatalf("counts written for %d organisations, want 5", counted)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	s, f := loaded(t)
	var out recordList
	if err := s.Export(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := sampleDataset()
	for _, r := range want {
		if r.Org != nil {
			r.Org.Rev = 1
		} else {
			r.Member.Rev = 1
		}
	}
	// Export lists by id, organisations first.
	order := []string{"c1", "c2", "d", "gc", "p", "m1", "m2", "m3", "m4"}
	byID := map[string]org.Record{}
	for _, r := range want {
		if r.Org != nil {
			byID[r.Org.ID] = r
		} else {
			byID[r.Member.ID] = r
		}
	}
	if len(out.records) != len(order) {
		t.Fatalf("exported %d records, want %d", len(out.records), len(order))
	}
	for i, id := range order {
		if !reflect.DeepEqual(out.records[i], byID[id]) {
			t.Errorf("record %d:\n got %+v %+v\nwant %+v %+v", i, out.records[i].Org, out.records[i].Member, byID[id].Org, byID[id].Member)
		}
	}
	// Pages of exportPage ids: one page of organisations, one of members,
	// each in a read transaction with the records of its ids; then one of
	// changes, of which there are none.
	if got := f.names(); !slices.Equal(got, []string{"org_ids_after", "org_records", "member_ids_after", "member_records", "changes_after"}) {
		t.Fatalf("statements %v", got)
	}
	if p := f.calls[0].params; p["after"] != "" || p["limit"] != int64(exportPage) {
		t.Fatalf("org_ids_after params %v", p)
	}
}

func TestExportPagesByID(t *testing.T) {
	s, f := loaded(t)
	f.answer["org_ids_after"] = func(p map[string]any) []row {
		// A full first page makes Export ask for the next one after its last id.
		if p["after"] == "" {
			page := make([]row, exportPage)
			for i := range page {
				page[i] = row{"id": "c1"}
			}
			return page
		}
		return []row{{"id": "p"}}
	}
	var out recordList
	if err := s.Export(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	pages := f.only("org_ids_after")
	if len(pages) != 2 || pages[1].params["after"] != "c1" {
		t.Fatalf("pages %v", pages)
	}
	if len(out.records) != exportPage+1+4 { // and no change
		t.Fatalf("exported %d records", len(out.records))
	}
}

func TestImportRefusesBadDataWritingNothing(t *testing.T) {
	records := sampleDataset()
	records[6].Member.Stints[0].CellID = "d" // a member in a district breaks R5
	s, f := newFake(t)
	_, err := s.Import(context.Background(), &recordList{records})
	wantCode(t, err, org.ERule)
	if got := f.names(); !slices.Equal(got, []string{"import_state"}) {
		t.Fatalf("statements %v, want only the emptiness check", got)
	}
}

func TestImportRefusesNonEmptyStore(t *testing.T) {
	s, f := loaded(t)
	_, err := s.Import(context.Background(), &recordList{sampleDataset()})
	wantCode(t, err, org.EConflict)
	if got := f.names(); !slices.Equal(got, []string{"import_state"}) {
		t.Fatalf("statements %v", got)
	}
}
