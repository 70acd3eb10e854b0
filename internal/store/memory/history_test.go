package memory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"dangbo/internal/org"
)

// recordList reads and collects records in memory.
type recordList struct {
	recs []org.Record
	next int
}

func (r *recordList) Read() (org.Record, error) {
	if r.next == len(r.recs) {
		return org.Record{}, io.EOF
	}
	r.next++
	return r.recs[r.next-1], nil
}

func (r *recordList) Write(rec org.Record) error { r.recs = append(r.recs, rec); return nil }

var (
	d      = org.DateFrom
	always = org.Span{Since: d(2000, 1, 1), Until: org.Forever}
)

func orgRec(id, parent string, k org.Kind, sector org.Sector) *org.OrgRecord {
	return &org.OrgRecord{ID: id, Versions: []org.Version{
		{Span: always, ParentID: parent, Name: "Tổ chức " + id, Kind: k, Sector: sector}}}
}

func memberRec(id, cell string) *org.MemberRecord {
	return &org.MemberRecord{ID: id, FullName: "Đảng viên " + id, AdmittedOn: d(2000, 1, 1),
		OfficialOn: new(d(2001, 1, 1)), Stints: []org.Stint{{Span: always, CellID: cell}}}
}

// smallTree is a province P with a grassroots committee C, whose cells are X
// (a village) and Y (a school), and a grassroots cell G. m1 works in Y and
// lives in X, m2 is X's secretary, m3 is in X, m4 is in Y and sits on C's
// committee.
func smallTree() []org.Record {
	m1 := memberRec("m1", "Y")
	m1.Residences = []org.Residence{{Span: always, CellID: "X"}}
	m2 := memberRec("m2", "X")
	m2.Roles = []org.RoleTerm{{Span: always, OrgID: "X", Role: org.Secretary}}
	m4 := memberRec("m4", "Y")
	m4.Roles = []org.RoleTerm{{Span: always, OrgID: "C", Role: org.CommitteeMember}}
	return []org.Record{
		{Org: orgRec("P", "", org.Province, org.SectorOther)},
		{Org: orgRec("C", "P", org.GrassrootsCommittee, org.SectorCommune)},
		{Org: orgRec("X", "C", org.Cell, org.SectorVillage)},
		{Org: orgRec("Y", "C", org.Cell, org.SectorSchool)},
		{Org: orgRec("G", "P", org.GrassrootsCell, org.SectorAgency)},
		{Member: m1}, {Member: m2}, {Member: memberRec("m3", "X")}, {Member: m4},
	}
}

func openStore(t testing.TB, dir string, recs []org.Record) *Store {
	t.Helper()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if recs != nil {
		if _, err := s.Import(context.Background(), &recordList{recs: recs}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// change is a change with a before and an after record, so that reading
// them from disk shows.
func change(typ org.ChangeType, on org.Date, number string, scope ...string) *org.Change {
	before := orgRec(scope[0], "", org.Province, org.SectorOther)
	after := before.Clone()
	after.Versions[0].Name = "Sau " + number
	return &org.Change{Type: typ, EffectiveOn: on, Note: "ghi chú " + number, Actor: "tester",
		Decision:   org.Decision{Number: number, Date: on, IssuerID: scope[0]},
		RecordedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Subjects: scope[:1], Scope: scope,
		Before: []org.Record{{Org: before}}, After: []org.Record{{Org: &after}}}
}

func record(t testing.TB, s *Store, cs ...*org.Change) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx org.Tx) error {
		for _, c := range cs {
			if err := tx.RecordChange(context.Background(), c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// allChanges pages through the history q selects, n at a time.
func allChanges(t testing.TB, s *Store, q org.ChangeQuery, n int) []org.Change {
	t.Helper()
	q.First = n
	var out []org.Change
	for {
		p, err := s.Changes(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Changes) > n || p.HasNext && len(p.Changes) != n {
			t.Fatalf("page of %d (more: %v) for first %d", len(p.Changes), p.HasNext, n)
		}
		out = append(out, p.Changes...)
		if !p.HasNext {
			return out
		}
		q.After = org.ChangeCursor(&p.Changes[len(p.Changes)-1])
	}
}

func seqsOf(cs []org.Change) []int64 {
	out := make([]int64, len(cs))
	for i := range cs {
		out[i] = cs[i].Seq
	}
	return out
}

func TestRecordChangeNumbersAndPersists(t *testing.T) {
	dir, ctx := t.TempDir(), context.Background()
	s := openStore(t, dir, smallTree())
	a, b := change(org.ChangeRenamed, d(2020, 1, 1), "1", "X", "C", "P"), change(org.ChangeMerged, d(2019, 1, 1), "2", "Y")
	record(t, s, a, b)
	if a.Seq != 1 || b.Seq != 2 {
		t.Fatalf("seqs %d, %d; want 1, 2", a.Seq, b.Seq)
	}
	// What the caller does to its change afterwards does not reach the history.
	a.Scope[0], a.Note = "G", "đổi"
	// A failed transaction gives no number away and writes nothing.
	failed := errors.New("failed")
	if err := s.Update(ctx, func(tx org.Tx) error {
		if err := tx.RecordChange(ctx, change(org.ChangeSplit, d(2020, 1, 1), "3", "G")); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatal(err)
	}
	c := change(org.ChangeDissolved, d(2021, 1, 1), "4", "G")
	record(t, s, c)
	if c.Seq != 3 {
		t.Fatalf("seq after a failed transaction %d, want 3", c.Seq)
	}
	if err := s.Update(ctx, func(tx org.Tx) error {
		return tx.RecordChange(ctx, &org.Change{Type: org.NumChangeTypes, Scope: []string{"P"}})
	}); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("unknown type: %v", err)
	}
	before := allChanges(t, s, org.ChangeQuery{}, 10)
	if got := seqsOf(before); !slices.Equal(got, []int64{2, 1, 3}) {
		t.Fatalf("order %v, want by date: 2, 1, 3", got)
	}
	if before[1].Scope[0] != "X" || before[1].Note != "ghi chú 1" || len(before[1].After) != 1 ||
		before[1].After[0].Org.Versions[0].Name != "Sau 1" {
		t.Fatalf("change 1 read back as %+v", before[1])
	}
	s.Close()

	s = openStore(t, dir, nil)
	after := allChanges(t, s, org.ChangeQuery{}, 2)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("reopen changed the history:\n%+v\n%+v", before, after)
	}
	e := change(org.ChangeRenamed, d(2022, 1, 1), "5", "P")
	record(t, s, e)
	if e.Seq != 4 {
		t.Fatalf("seq after reopen %d, want 4", e.Seq)
	}
}

func TestDecisionDate(t *testing.T) {
	dir, ctx := t.TempDir(), context.Background()
	s := openStore(t, dir, smallTree())
	record(t, s, change(org.ChangeRenamed, d(2020, 1, 1), "12-QĐ/HU", "C"))
	used := func(tx org.Tx, issuer, number string) bool {
		t.Helper()
		signed, err := tx.DecisionDate(ctx, issuer, number)
		if err != nil {
			t.Fatal(err)
		}
		if signed != 0 && signed != d(2020, 1, 1) {
			t.Errorf("decision %s of %s signed on %s, want 2020-01-01", number, issuer, signed)
		}
		return signed != 0
	}
	err := s.Update(ctx, func(tx org.Tx) error {
		if !used(tx, "C", "12-QĐ/HU") || used(tx, "P", "12-QĐ/HU") || used(tx, "C", "13-QĐ/HU") {
			t.Error("committed decisions misread")
		}
		if err := tx.RecordChange(ctx, change(org.ChangeRenamed, d(2020, 1, 1), "13-QĐ/HU", "C")); err != nil {
			return err
		}
		if !used(tx, "C", "13-QĐ/HU") {
			t.Error("a decision staged in the transaction is not seen as used")
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("no error")
	}
	s.Update(ctx, func(tx org.Tx) error {
		if used(tx, "C", "13-QĐ/HU") {
			t.Error("the decision of a failed transaction counts as used")
		}
		return nil
	})
	// Reopened, the set is rebuilt from disk.
	s.Close()
	s2 := openStore(t, dir, nil)
	s2.Update(ctx, func(tx org.Tx) error {
		if !used(tx, "C", "12-QĐ/HU") {
			t.Error("decision forgotten on reopen")
		}
		return nil
	})
}

func TestLinkedMembersAndChildIDs(t *testing.T) {
	s, ctx := openStore(t, t.TempDir(), smallTree()), context.Background()
	check := func(tx org.Tx, what string, got []string, err error, want ...string) {
		t.Helper()
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	linked := func(tx org.Tx, id string, want ...string) {
		t.Helper()
		got, err := tx.LinkedMembers(ctx, id)
		check(tx, "LinkedMembers("+id+")", got, err, want...)
	}
	children := func(tx org.Tx, id string, want ...string) {
		t.Helper()
		got, err := tx.ChildIDs(ctx, id)
		check(tx, "ChildIDs("+id+")", got, err, want...)
	}
	s.Update(ctx, func(tx org.Tx) error {
		linked(tx, "X", "m1", "m2", "m3") // a resident, a secretary, a member
		linked(tx, "Y", "m1", "m4")
		linked(tx, "C", "m4") // a role only
		linked(tx, "G")
		linked(tx, "nowhere")
		children(tx, "P", "C", "G")
		children(tx, "C", "X", "Y")
		children(tx, "X")
		return nil
	})
	// Staged: a new member in G, m3 moved to G, a new cell Z under C, Y moved to P.
	move := func(tx org.Tx) error {
		m3, _ := tx.Member(ctx, "m3")
		m3.Stints[0].Until = d(2020, 1, 1)
		m3.Stints = append(m3.Stints, org.Stint{Span: org.Span{Since: d(2020, 1, 1), Until: org.Forever}, CellID: "G"})
		y, _ := tx.Org(ctx, "Y")
		y.Versions[0].Until = d(2020, 1, 1)
		y.Versions = append(y.Versions, org.Version{Span: org.Span{Since: d(2020, 1, 1), Until: org.Forever},
			ParentID: "P", Name: "Y", Kind: org.GrassrootsCell, Sector: org.SectorSchool})
		return errors.Join(tx.PutMember(ctx, m3), tx.PutMember(ctx, *memberRec("m5", "G")),
			tx.PutOrg(ctx, *orgRec("Z", "C", org.Cell, org.SectorHealth)), tx.PutOrg(ctx, y))
	}
	s.Update(ctx, func(tx org.Tx) error {
		if err := move(tx); err != nil {
			t.Fatal(err)
		}
		linked(tx, "G", "m3", "m5")
		linked(tx, "X", "m1", "m2", "m3")
		children(tx, "C", "X", "Y", "Z")
		children(tx, "P", "C", "G", "Y")
		return errors.New("roll back")
	})
	if err := s.Update(ctx, move); err != nil {
		t.Fatal(err)
	}
	s.Update(ctx, func(tx org.Tx) error {
		linked(tx, "G", "m3", "m5")
		linked(tx, "X", "m1", "m2", "m3") // m3 was in X until 2020
		children(tx, "C", "X", "Y", "Z")  // Y was under C until 2020
		children(tx, "P", "C", "G", "Y")
		return nil
	})
	// Records rewritten without the links leave the lists and the index.
	if err := s.Update(ctx, func(tx org.Tx) error {
		m4, _ := tx.Member(ctx, "m4")
		m4.Roles = nil
		y, _ := tx.Org(ctx, "Y")
		y.Versions = y.Versions[1:]
		y.Versions[0].Since = d(2000, 1, 1)
		return errors.Join(tx.PutMember(ctx, m4), tx.PutOrg(ctx, y))
	}); err != nil {
		t.Fatal(err)
	}
	s.Update(ctx, func(tx org.Tx) error {
		linked(tx, "C")
		children(tx, "C", "X", "Z")
		return nil
	})
}

// history is n changes with random dates, types and scopes among the small
// tree's organisations, recorded in a few transactions.
func randomHistory(t *testing.T, s *Store, n int) []org.Change {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := []string{"P", "C", "X", "Y", "G"}
	var all []org.Change
	for i := 0; i < n; {
		var batch []*org.Change
		for k := rng.IntN(4) + 1; k > 0 && i < n; k-- {
			scope := []string{ids[rng.IntN(len(ids))]}
			if rng.IntN(2) == 0 {
				scope = append(scope, "P")
			}
			on := d(2016, 1, 1) + org.Date(rng.IntN(60)) // many changes share a date
			batch = append(batch, change(org.ChangeType(rng.IntN(org.NumChangeTypes)), on, fmt.Sprint(i), scope...))
			i++
		}
		record(t, s, batch...)
		for _, c := range batch {
			all = append(all, *c)
		}
	}
	slices.SortFunc(all, func(a, b org.Change) int { return org.CompareChanges(&a, &b) })
	return all
}

func TestChangesPagesAndFilters(t *testing.T) {
	s := openStore(t, t.TempDir(), smallTree())
	all := randomHistory(t, s, 300)
	for _, q := range []org.ChangeQuery{
		{},
		{Within: "X"},
		{Within: "P"},
		{Within: "nowhere"},
		{Types: []org.ChangeType{org.ChangeMerged, org.ChangeAdmitted}},
		{Since: d(2016, 1, 20)},
		{Until: d(2016, 1, 20)},
		{Since: d(2016, 1, 10), Until: d(2016, 1, 11)},
		{Since: d(2016, 1, 11), Until: d(2016, 1, 10)},
		{Within: "Y", Types: []org.ChangeType{org.ChangeRenamed, org.ChangeSplit, org.ChangeRated}, Since: d(2016, 1, 5), Until: d(2016, 2, 10)},
	} {
		var want []int64
		var counts org.ChangeCounts
		for i := range all {
			if q.Matches(&all[i]) {
				want = append(want, all[i].Seq)
				counts[all[i].Type]++
			}
		}
		for _, n := range []int{1, 7, 500} {
			got := allChanges(t, s, q, n)
			if !slices.Equal(seqsOf(got), want) {
				t.Fatalf("%+v by %d: %v\nwant %v", q, n, seqsOf(got), want)
			}
			for i := range got {
				if len(got[i].Before) != 1 || len(got[i].After) != 1 {
					t.Fatalf("change %d without its records", got[i].Seq)
				}
			}
		}
		if got, err := s.ChangeCounts(context.Background(), q); err != nil || got != counts {
			t.Fatalf("counts %+v: %v, %v; want %v", q, got, err, counts)
		}
	}
	if _, err := s.Changes(context.Background(), org.ChangeQuery{First: 5, After: "nonsense"}); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("bad cursor: %v", err)
	}
	if p, err := s.Changes(context.Background(), org.ChangeQuery{First: 0}); err != nil || len(p.Changes) != 0 || !p.HasNext {
		t.Fatalf("first 0: %+v, %v", p, err)
	}
}

func TestHistoryExportImportRoundTrip(t *testing.T) {
	s := openStore(t, t.TempDir(), smallTree())
	randomHistory(t, s, 40)
	var first recordList
	if err := s.Export(context.Background(), &first); err != nil {
		t.Fatal(err)
	}
	for i, r := range first.recs {
		if (i >= len(smallTree())) != (r.Change != nil) {
			t.Fatalf("record %d out of place: %+v", i, r)
		}
		if r.Change != nil && r.Change.Seq != int64(i-len(smallTree())+1) {
			t.Fatalf("record %d: change %d, not by sequence number", i, r.Change.Seq)
		}
	}
	// Drop some changes, so the highest number is not the count.
	recs := slices.Concat(first.recs[:len(first.recs)-10], first.recs[len(first.recs)-1:])
	s2 := openStore(t, t.TempDir(), recs)
	var second recordList
	if err := s2.Export(context.Background(), &second); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutRevs(recs), withoutRevs(second.recs)) {
		t.Fatal("export after import differs")
	}
	c := change(org.ChangeRenamed, d(2030, 1, 1), "after", "P")
	record(t, s2, c)
	if c.Seq != 41 {
		t.Fatalf("first change after import: %d, want 41", c.Seq)
	}
	s2.Update(context.Background(), func(tx org.Tx) error {
		last := first.recs[len(first.recs)-1].Change.Decision
		if signed, err := tx.DecisionDate(context.Background(), last.IssuerID, last.Number); signed != last.Date || err != nil {
			t.Errorf("imported decision %+v not used: %v", last, err)
		}
		return nil
	})

	for name, bad := range map[string][]org.Record{
		"out of order":        slices.Concat(first.recs[:len(smallTree())], first.recs[len(first.recs)-1:], first.recs[len(first.recs)-2:len(first.recs)-1]),
		"member after change": slices.Concat(first.recs[:len(smallTree())+1], first.recs[len(smallTree())-1:len(smallTree())]),
		"unknown type":        append(slices.Clone(first.recs[:len(smallTree())]), org.Record{Change: &org.Change{Seq: 1, Type: org.NumChangeTypes}}),
		"two fields":          append(slices.Clone(first.recs[:len(smallTree())]), org.Record{Change: &org.Change{Seq: 1}, Org: first.recs[0].Org}),
	} {
		s3 := openStore(t, t.TempDir(), nil)
		if _, err := s3.Import(context.Background(), &recordList{recs: bad}); org.ErrorCode(err) != org.EInvalid {
			t.Fatalf("%s: %v", name, err)
		}
		if p, _ := s3.Changes(context.Background(), org.ChangeQuery{First: 1}); len(p.Changes) != 0 {
			t.Fatalf("%s: a failed import left changes", name)
		}
		if empty, _ := s3.Empty(context.Background()); !empty {
			t.Fatalf("%s: a failed import left records", name)
		}
	}
}

func withoutRevs(recs []org.Record) []org.Record {
	out := make([]org.Record, len(recs))
	for i, r := range recs {
		switch {
		case r.Org != nil:
			c := r.Org.Clone()
			c.Rev = 0
			out[i].Org = &c
		case r.Member != nil:
			c := r.Member.Clone()
			c.Rev = 0
			out[i].Member = &c
		default:
			out[i] = r
		}
	}
	return out
}

// TestChangeHeadSkipsRecords pins the decoding that loads the history:
// everything but the records.
func TestChangeHeadSkipsRecords(t *testing.T) {
	c := change(org.ChangeMerged, d(2020, 1, 1), "7", "X", "P")
	c.Seq = 9
	v, err := encode(c)
	if err != nil {
		t.Fatal(err)
	}
	var h changeHead
	if err := json.Unmarshal(v, &h); err != nil {
		t.Fatal(err)
	}
	want := *c
	want.Before, want.After = nil, nil
	if !reflect.DeepEqual(h.Change, want) {
		t.Fatalf("header\n%+v\nwant\n%+v", h.Change, want)
	}
}

// syntheticHistory is n changes over a province of about 6,000 organisations,
// each within a path of four of them, as an import sees them.
func syntheticHistory(n int) []org.Record {
	rng := rand.New(rand.NewPCG(3, 4))
	recs := []org.Record{{Org: orgRec("P", "", org.Province, org.SectorOther)}}
	for i := range 20 {
		recs = append(recs, org.Record{Org: orgRec(fmt.Sprintf("D%d", i), "P", org.District, org.SectorOther)})
	}
	for i := range 600 {
		recs = append(recs, org.Record{Org: orgRec(fmt.Sprintf("G%d", i), fmt.Sprintf("D%d", i%20), org.GrassrootsCommittee, org.SectorCommune)})
	}
	for i := range 5400 {
		recs = append(recs, org.Record{Org: orgRec(fmt.Sprintf("c%d", i), fmt.Sprintf("G%d", i%600), org.Cell, org.SectorVillage)})
	}
	for i := range n {
		cell := rng.IntN(5400)
		g := cell % 600
		c := change(org.ChangeType(rng.IntN(org.NumChangeTypes)), d(2016, 8, 1)+org.Date(rng.IntN(1900)), fmt.Sprint(i),
			fmt.Sprintf("c%d", cell), fmt.Sprintf("G%d", g), fmt.Sprintf("D%d", g%20), "P")
		c.Seq = int64(i + 1)
		recs = append(recs, org.Record{Change: c})
	}
	return recs
}

func BenchmarkChangeCounts(b *testing.B) {
	s := openStore(b, b.TempDir(), syntheticHistory(7000))
	for _, q := range []org.ChangeQuery{
		{},
		{Within: "D3"},
		{Within: "P", Types: []org.ChangeType{org.ChangeMerged, org.ChangeEstablished}, Since: d(2018, 1, 1), Until: d(2020, 1, 1)},
	} {
		b.Run(fmt.Sprintf("within=%s,types=%d,since=%v", q.Within, len(q.Types), q.Since != 0), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ChangeCounts(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkChangesPage(b *testing.B) {
	s := openStore(b, b.TempDir(), syntheticHistory(7000))
	q := org.ChangeQuery{Within: "D3", First: 50}
	for b.Loop() {
		if _, err := s.Changes(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}
