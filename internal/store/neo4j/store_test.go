package neo4j

import (
	"context"
	"errors"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"dangbo/internal/org"
	"dangbo/internal/store/storetest"
)

func TestCreateSchemaRunsEverySchemaStatementThenWaits(t *testing.T) {
	s, f := newFake(t)
	if err := s.createSchema(ctx); err != nil {
		t.Fatal(err)
	}
	var want []string
	for name := range statements {
		if strings.HasPrefix(name, "schema_") {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	if len(want) != 14 {
		t.Fatalf("%d schema statements, want 14 (7 constraints, 5 indexes, 2 full-text indexes)", len(want))
	}
	if got := f.names(); !slices.Equal(got, append(want, "await_indexes")) {
		t.Fatalf("statements %v", got)
	}
	// Each schema change in a write transaction of its own; the wait reads.
	if len(f.modes) != 15 || slices.Index(f.modes, n4j.AccessModeRead) != 14 {
		t.Fatalf("transactions %v", f.modes)
	}
	if p := f.calls[14].params; !reflect.DeepEqual(p, map[string]any{"seconds": indexWaitSeconds}) {
		t.Fatalf("await_indexes params %v", p)
	}
}

func TestPingFailsWhileTheDatabaseIsDownAndRecovers(t *testing.T) {
	s, f := newFake(t)
	f.down = &n4j.ConnectivityError{Inner: errors.New("dial tcp 10.0.0.1:7687: connection refused")}
	err := s.Ping(ctx)
	wantCode(t, err, org.EUnavailable)
	if msg := org.ErrorMessage(err); strings.Contains(msg, "dial") || !strings.Contains(msg, "Neo4j") {
		t.Fatalf("message %q", msg)
	}
	_, err = s.Roots(ctx, now())
	wantCode(t, err, org.EUnavailable)
	f.down = nil
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the database came back: %v", err)
	}
}

func TestStoreErrors(t *testing.T) {
	constraint := &n4j.Neo4jError{Code: codeConstraintViolation, Msg: "Node(42) already exists with label `Org`"}
	syntax := &n4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "Invalid input 'MATC'"}
	for _, tc := range []struct {
		err  error
		code string
	}{
		{&n4j.ConnectivityError{Inner: errors.New("EOF")}, org.EUnavailable},
		{&n4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{errors.New("leader switch")}}, org.EUnavailable},
		{&n4j.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, org.EUnavailable},
		{&n4j.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"}, org.EUnavailable},
		{&n4j.Neo4jError{Code: codeDatabaseNotFound}, org.EUnavailable},
		{constraint, org.EConflict},
		{syntax, org.EInternal},
		{org.Errorf(org.ERule, "sai cấp"), org.ERule},
	} {
		err := storeError(tc.err)
		wantCode(t, err, tc.code)
		if !errors.Is(err, tc.err) {
			t.Errorf("%v: the driver's error is lost for the logs", tc.err)
		}
		if tc.code != org.ERule && strings.ContainsAny(org.ErrorMessage(err), "`'()") {
			t.Errorf("%v: message leaks internals: %q", tc.err, org.ErrorMessage(err))
		}
	}
	if storeError(nil) != nil || storeError(context.Canceled) != context.Canceled {
		t.Fatal("nil and cancellation must pass through")
	}
	// A statement error inside a transaction comes back translated.
	s, f := newFake(t)
	f.fail["import_state"] = constraint
	_, err := s.Empty(ctx)
	wantCode(t, err, org.EConflict)
}

func TestRunPassesExactlyTheDeclaredParameters(t *testing.T) {
	_, f := newFake(t)
	q := fakeQuerier{f: f, tx: &fakeTx{}}
	for _, params := range []map[string]any{
		{}, // missing
		{"ids": []string{"p"}, "at": nil, "key": nil}, // extra
		{"id": []string{"p"}},                         // misspelt
	} {
		if _, err := run(ctx, q, "org_records", params); err == nil || org.ErrorCode(err) != org.EInternal {
			t.Errorf("params %v: err = %v", params, err)
		}
	}
	if _, err := run(ctx, q, "no_such_statement", nil); err == nil {
		t.Error("an unknown statement ran")
	}
	if len(f.calls) != 0 {
		t.Fatalf("rejected runs reached the database: %v", f.names())
	}
	if _, err := run(ctx, q, "org_records", map[string]any{"ids": []string{"p"}, "at": dateParam(today)}); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeOrgFromDriverValues(t *testing.T) {
	date := func(y int, m time.Month, d int) dbtype.Date {
		return dbtype.Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	o, err := decodeOrg(row{
		"id": "gc", "code": nil, "rev": int64(7), "ratingYears": []any{int64(2020)}, "ratingGrades": []any{"GOOD"},
		"counts": []any{int64(1)},
		"versions": []any{ // as a pattern comprehension returns them: in no particular order
			map[string]any{"since": date(2021, 1, 1), "until": nil, "parentId": "d", "name": "Mới", "kind": "GRASSROOTS_COMMITTEE", "sector": "COMMUNE"},
			map[string]any{"since": date(2000, 1, 1), "until": date(2021, 1, 1), "name": "Cũ", "kind": "GRASSROOTS_CELL", "sector": "COMMUNE"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := org.OrgRecord{ID: "gc", Rev: 7, Ratings: []org.YearRating{{Year: 2020, Grade: org.Good}}, Versions: []org.Version{
		{Span: org.Span{Since: org.DateFrom(2000, 1, 1), Until: org.DateFrom(2021, 1, 1)}, Name: "Cũ", Kind: org.GrassrootsCell, Sector: org.SectorCommune},
		{Span: org.Span{Since: org.DateFrom(2021, 1, 1), Until: org.Forever}, ParentID: "d", Name: "Mới", Kind: org.GrassrootsCommittee, Sector: org.SectorCommune},
	}}
	if !reflect.DeepEqual(o.OrgRecord, want) {
		t.Fatalf("got  %+v\nwant %+v", o.OrgRecord, want)
	}
	if _, err := decodeCounts(o.counts); err == nil {
		t.Fatal("a counts list of the wrong length decoded")
	}
	for name, bad := range map[string]row{
		"rev as a string":      {"id": "x", "rev": "7"},
		"a date as a string":   {"id": "x", "versions": []any{map[string]any{"since": "2000-01-01", "kind": "CELL", "sector": "OTHER"}}},
		"an unknown kind":      {"id": "x", "versions": []any{map[string]any{"since": date(2000, 1, 1), "kind": "CLUB", "sector": "OTHER"}}},
		"versions not maps":    {"id": "x", "versions": []any{"v1"}},
		"grades without years": {"id": "x", "ratingGrades": []any{"GOOD"}},
	} {
		if _, err := decodeOrg(bad); err == nil {
			t.Errorf("%s decoded", name)
		}
	}
}

func TestDecodeMemberFromDriverValues(t *testing.T) {
	date := func(d org.Date) dbtype.Date { return dbtype.Date(d.Time()) }
	m, err := decodeMember(row{
		"id": "m1", "fullName": "Nguyễn Văn An", "gender": "FEMALE", "admittedOn": date(org.DateFrom(2005, 3, 1)),
		"officialOn": nil, "theory": "ADVANCED", "rev": int64(3), "email": "an@example.vn",
		// birthDate, phone, ethnicity, address, ratings: absent
		"stints": []any{
			map[string]any{"pos": int64(1), "since": date(org.DateFrom(2020, 1, 1)), "until": date(org.DateFrom(2020, 6, 1)), "temporary": true, "orgId": "c1"},
			map[string]any{"pos": int64(0), "since": date(org.DateFrom(2005, 3, 1)), "until": nil, "temporary": false, "orgId": "c2"},
		},
		"residences": []any{},
		"roles":      []any{map[string]any{"pos": int64(0), "role": "SECRETARY", "headOfUnit": nil, "since": date(org.DateFrom(2015, 1, 1)), "orgId": "c2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &org.MemberRecord{ID: "m1", FullName: "Nguyễn Văn An", Gender: org.Female, AdmittedOn: org.DateFrom(2005, 3, 1),
		Theory: org.TheoryAdvanced, Rev: 3, Personal: org.Personal{Email: "an@example.vn"},
		Stints: []org.Stint{
			{Span: org.Span{Since: org.DateFrom(2005, 3, 1), Until: org.Forever}, CellID: "c2"},
			{Span: org.Span{Since: org.DateFrom(2020, 1, 1), Until: org.DateFrom(2020, 6, 1)}, CellID: "c1", Temporary: true},
		},
		Roles: []org.RoleTerm{{Span: org.Span{Since: org.DateFrom(2015, 1, 1), Until: org.Forever}, OrgID: "c2", Role: org.Secretary}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got  %+v\nwant %+v", m, want)
	}
	if _, err := decodeMember(row{"id": "m1", "stints": []any{map[string]any{"temporary": "yes"}}}); err == nil {
		t.Fatal("a string for a boolean decoded")
	}
}

func TestCountsRoundTrip(t *testing.T) {
	c := counts(2, 30, 4, map[org.Kind]int32{org.Cell: 7, org.PartialCommittee: 1}, map[org.Sector]int32{org.SectorBloc: 3})
	c.DirectOfficial, c.DirectProbationary = 5, 1
	encoded := encodeCounts(c)
	if len(encoded) != 5+org.NumKinds+org.NumSectors || encoded[0] != 2 || encoded[1] != 5 || encoded[3] != 30 {
		t.Fatalf("layout %v", encoded)
	}
	got, err := decodeCounts(anyList(encoded))
	if err != nil || got != c {
		t.Fatalf("round trip %+v, %v", got, err)
	}
	if zero, err := decodeCounts(nil); err != nil || zero != (org.Counts{}) {
		t.Fatalf("never counted: %+v, %v", zero, err)
	}
	bad := anyList(encoded)
	bad[4] = 1.5
	if _, err := decodeCounts(bad); err == nil {
		t.Fatal("a float decoded as a count")
	}
}

// TestEveryStatementIsRun runs the unit tests again and fails for any .cypher
// file that none of them runs: a statement no code path uses.
func TestEveryStatementIsRun(t *testing.T) {
	ran := map[string]bool{}
	ranStatement = func(name string) { ran[name] = true }
	defer func() { ranStatement = nil }()
	for _, test := range []func(*testing.T){
		TestImportWritesBatchesThenCountsAndHorizon, TestImportExportRoundTrip, TestOrgCountsOnAnEarlierDate,
		TestRoots, TestChildrenPages, TestPath, TestMember, TestCellMembersPages, TestResidents,
		TestCreateOrgWritesRecountsAndMovesTheHorizon, TestCreateMemberRecountsItsCell,
		TestSearchRanksCandidatesWithMatcher, TestCreateSchemaRunsEverySchemaStatementThenWaits, TestWipe,
		TestAuditIsWrittenWithTheChangeAndListedNewestFirst, TestCovers,
		TestChartNodesReadCountsWithTheRecords, TestResidenceLinks,
		TestRecordChangeNumbersAtOnceAndWritesAtCommit, TestLinkedMembersAndChildIDsIncludeTheTransactionsPuts,
		TestChangesFilters, TestChangeCountsByType, TestImportExportRoundTripWithHistory,
		TestScenarioPutReadsTheRevThenWritesAtCommit, TestScenariosNewestFirst, TestTwoInstancesAgreeOnScenarios, TestLastSeqReadsTheCounter,
		TestUpgradeRetriedAndResumed,
	} {
		t.Run("", test)
	}
	unused := slices.DeleteFunc(slices.Sorted(maps.Keys(statements)), func(name string) bool { return ran[name] })
	if len(unused) > 0 {
		t.Fatalf("statements no unit test runs: %v", unused)
	}
}

func TestWipe(t *testing.T) {
	s, f := newFake(t)
	left := 3
	f.answer["wipe_batch"] = func(map[string]any) []row {
		n := min(left, 2)
		left -= n
		return []row{{"deleted": int64(n)}}
	}
	if err := s.wipe(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.only("wipe_batch")); n != 3 || left != 0 {
		t.Fatalf("%d batches, %d left", n, left)
	}
}

// TestStoreSuite runs the behaviour suite against a Neo4j server when
// NEO4J_URI names one (with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE).
func TestStoreSuite(t *testing.T) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		t.Skip("NEO4J_URI not set: Neo4j integration tests skipped")
	}
	cfg := Config{URI: uri, User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
	open := func(t *testing.T, wipe bool) *Store {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatalf("Open(%s): %v", uri, err)
		}
		if wipe {
			if err := s.wipe(ctx, ""); err != nil {
				t.Fatalf("wipe: %v", err)
			}
		}
		return s
	}
	storetest.Run(t, func(t *testing.T) org.Store { return open(t, true) })
	// Two drivers over one database, as two instances of the service are.
	storetest.RunTwoInstances(t, func(t *testing.T) (org.Store, org.Store) { return open(t, true), open(t, false) })
}
