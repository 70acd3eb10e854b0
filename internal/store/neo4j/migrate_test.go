package neo4j

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

func init() {
	fakeModels["migration_claim"] = func(g *fakeGraph, p map[string]any) []row {
		id, version := p["id"].(string), max(g.schemaVersion, 1)
		state := "claimed"
		switch {
		case version > p["version"].(int64):
			state = "newer"
		case len(g.orgs) == 0 || g.importing != "" || version == p["version"].(int64):
			state = "current"
		case g.migrating != "" && g.migrating != id && !g.migrationBeat.Before(p["stale"].(time.Time)):
			state = "busy"
		default:
			g.migrating, g.migrationBeat = id, p["now"].(time.Time)
		}
		return []row{{"state": state, "version": version}}
	}
	fakeModels["migration_beat"] = func(g *fakeGraph, p map[string]any) []row {
		if g.migrating != p["id"] {
			return []row{{"mine": int64(0)}}
		}
		g.migrationBeat = p["now"].(time.Time)
		if p["last"].(bool) {
			g.migrating, g.migrationBeat, g.schemaVersion = "", time.Time{}, p["version"].(int64)
			g.revision++
		}
		return []row{{"mine": int64(1)}}
	}
	fakeModels["migrate_decision_keys"] = func(g *fakeGraph, p map[string]any) []row {
		g.changes = slices.Clone(g.changes) // rows are shared with clones of the graph
		bySeq := func(i, j int) int { return cmp.Compare(g.changes[i]["seq"].(int64), g.changes[j]["seq"].(int64)) }
		order := make([]int, len(g.changes))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, bySeq)
		var n, last int64
		for _, i := range order {
			c := g.changes[i]
			if seq := c["seq"].(int64); seq > p["after"].(int64) && n < p["limit"].(int64) {
				if c["decisionKey"] == nil && c["decisionNumber"] != nil {
					c = maps.Clone(c)
					c["decisionKey"] = strings.ToLower(c["decisionNumber"].(string))
					g.changes[i] = c
				}
				n, last = n+1, seq
			}
		}
		if n == 0 {
			return []row{{"changes": int64(0), "last": nil}}
		}
		return []row{{"changes": n, "last": last}}
	}
	fakeModels["migrate_decision_dates"] = func(g *fakeGraph, p map[string]any) []row {
		set := func(into map[string]row, rows any, keys ...string) (n int64) {
			for _, r := range rows.([]any) {
				r := r.(map[string]any)
				if into[r["id"].(string)] == nil {
					continue
				}
				n++
				rec := maps.Clone(into[r["id"].(string)]) // rows are shared with clones of the graph
				for _, k := range keys {
					rec[k] = r[k]
				}
				into[r["id"].(string)] = rec
			}
			return n
		}
		return []row{{
			"orgs":    set(g.orgs, p["orgs"], "ratingYears", "ratingGrades", "ratingDates", "meetingYears", "meetingCounts", "meetingDates"),
			"members": set(g.members, p["members"], "ratingYears", "ratingGrades", "ratingDates"),
		}}
	}
	fakeModels["migrate_counts"] = func(g *fakeGraph, p map[string]any) []row {
		var n int64
		for _, r := range p["rows"].([]any) {
			r := r.(map[string]any)
			id := r["id"].(string)
			if g.orgs[id] == nil {
				continue
			}
			n++
			g.counts[id] = r["counts"].([]int64)
			if to := r["changedTo"]; to != nil {
				g.changedTo[id] = fakeDate(to, 0)
			} else {
				delete(g.changedTo, id)
			}
			changes := map[org.Date][]int64{}
			for _, c := range r["changes"].([]any) {
				c := c.(map[string]any)
				changes[fakeDate(c["since"], 0)] = c["counts"].([]int64)
			}
			g.countChanges[id] = changes
		}
		return []row{{"orgs": n}}
	}
}

// olderLayouts turn the fake's graph, as this version writes it, into what
// an earlier version left.
var olderLayouts = []struct {
	name  string
	older func(g *fakeGraph)
}{
	// Before dated counts and decision keys: the counts of the open-ended
	// state alone, no layout noted.
	{"before dated counts", func(g *fakeGraph) {
		undated(g)
		g.schemaVersion, g.countChanges, g.changedTo = 0, map[string]map[org.Date][]int64{}, map[string]org.Date{}
		g.changes = slices.Clone(g.changes)
		for i, c := range g.changes {
			c = maps.Clone(c)
			delete(c, "decisionKey")
			g.changes[i] = c
		}
	}},
	// With dated counts but no layout noted (written between dated counts
	// and this version): the migration must replace them, not add to them.
	{"dated counts without a layout", func(g *fakeGraph) { undated(g); g.schemaVersion = 0 }},
	// Layout 2: ratings and meetings without the dates of their decisions.
	{"undated ratings", func(g *fakeGraph) { undated(g); g.schemaVersion = 2 }},
}

// undated drops the decision dates of ratings and meetings, which layout 3
// added.
func undated(g *fakeGraph) {
	for _, recs := range []map[string]row{g.orgs, g.members} {
		for id, r := range recs {
			if r["ratingDates"] != nil || r["meetingDates"] != nil {
				r = maps.Clone(r)
				delete(r, "ratingDates")
				delete(r, "meetingDates")
				recs[id] = r
			}
		}
	}
}

// upgradeFixture is the Vĩnh Phúc demo on the fake with random operations
// written after it (transfers of members until a future date, renames and
// cells moved, dated from a month before today to a year after), and what
// a fresh import of it answers.
type upgradeFixture struct {
	s     *Store
	f     *fakeDB
	dates []org.Date
	want  string
	// before are the graph as written, and as an earlier version left it
	// (the first layout of olderLayouts)
	before *fakeGraph
}

// upgradeData is built once and shared: each test runs over a copy.
var upgradeData struct {
	once sync.Once
	*upgradeFixture
}

// newUpgradeFixture is the fixture over a fake database of its own.
func newUpgradeFixture(t *testing.T) *upgradeFixture {
	upgradeData.once.Do(func() { upgradeData.upgradeFixture = buildUpgradeFixture(t, testseed.Seed(t, 16)) })
	if upgradeData.upgradeFixture == nil {
		t.Fatal("the fixture could not be built (see the first test)")
	}
	u := *upgradeData.upgradeFixture
	u.s, u.f = newFake(t)
	u.s.batchSize = 300
	u.f.g = u.before.clone()
	return &u
}

func buildUpgradeFixture(t *testing.T, seed uint64) *upgradeFixture {
	s, f := newFake(t)
	s.batchSize = 300
	if _, err := s.Import(ctx, demo.VinhPhuc().Clone().Reader()); err != nil {
		t.Fatal(err)
	}
	svc := service(s)
	vp := findVinhPhuc(t, svc)
	var cells, communes, members []string
	for id, o := range f.g.orgs {
		switch o["kind"] {
		case "CELL":
			cells = append(cells, id)
		case "GRASSROOTS_COMMITTEE":
			communes = append(communes, id)
		}
	}
	slices.Sort(cells)
	slices.Sort(communes)
	members = slices.Sorted(maps.Keys(f.g.members))
	rng := rand.New(rand.NewPCG(seed, 0))
	written, rated := 0, 0
	for i := range 60 {
		on := today + org.Date(rng.IntN(400)-30)
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ/TU", 900+i), Date: today, IssuerID: vp.province}, EffectiveOn: on}
		// A year's rating or meetings are recorded again with another value
		// (the old layout kept one a year, and its migration tells them apart
		// by their values), by the cell's superior on the day it signs.
		kind := rng.IntN(6)
		if kind >= 3 {
			cell, member := cells[rng.IntN(len(cells))], ""
			if kind == 4 {
				member = members[rng.IntN(len(members))]
				m, err := svc.Member(ctx, org.View{At: on}, member)
				if err != nil {
					continue
				}
				cell = m.CellID
			}
			o, err := svc.Org(ctx, org.View{At: on}, cell)
			if err != nil {
				continue
			}
			meta.Decision.IssuerID, meta.Decision.Date = o.ParentID, on
			year, grade := on.Year()-rng.IntN(2), org.Grade(i%int(org.NumGrades))
			switch {
			case kind == 3:
				_, err = svc.RecordRating(ctx, org.Rating{OrgID: cell, Year: year, Grade: grade}, meta)
			case member != "":
				_, err = svc.RecordRating(ctx, org.Rating{MemberID: member, Year: year, Grade: grade}, meta)
			default:
				_, err = svc.RecordMeetings(ctx, cell, year, i, meta)
			}
			if err == nil {
				written, rated = written+1, rated+1
			}
			continue
		}
		var err error
		switch kind {
		case 0:
			until := org.Date(0)
			if rng.IntN(2) == 0 {
				until = on + org.Date(1+rng.IntN(200))
			}
			_, err = svc.TransferMember(ctx, members[rng.IntN(len(members))], cells[rng.IntN(len(cells))], until, meta)
		case 1:
			_, err = svc.RenameOrg(ctx, cells[rng.IntN(len(cells))], fmt.Sprintf("Chi bộ số %d", i), meta)
		default:
			_, err = svc.TransferOrg(ctx, cells[rng.IntN(len(cells))], communes[rng.IntN(len(communes))], meta)
		}
		if err == nil {
			written++
		}
	}
	if written < 15 || rated < 5 {
		t.Fatalf("%d of 60 random operations applied, %d ratings and meetings: the fixture would test little", written, rated)
	}
	// Every date on which some count changes, the day before, and the present.
	var dates []org.Date
	for _, changes := range f.g.countChanges {
		for on := range changes {
			dates = append(dates, on-1, on)
		}
	}
	dates = spread(sortedSet(append(dates, today, today+1000)), 24)
	t.Logf("%d of 60 random operations applied, %d ratings and meetings", written, rated)
	u := &upgradeFixture{s: s, f: f, dates: dates, want: answers(t, s, dates), before: f.g.clone()}
	// A fresh import of the same data answers the same.
	fresh, _ := newFake(t)
	var out recordList
	if err := s.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Import(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if got := answers(t, fresh, dates); got != u.want {
		t.Fatalf("a fresh import answers otherwise than the store it came from:\n%s", firstDifference(got, u.want))
	}
	return u
}

// answers are what s answers, as JSON: every organisation with its counts
// on each of dates, the roots, the members' ratings, the history's counts everywhere and within
// each organisation, a page of it, and the date of each decision asked by
// its number in lower case (a decision key).
func answers(t *testing.T, s *Store, dates []org.Date) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	must := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if v == nil {
			return
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := s.read(ctx, func(q querier) (err error) {
		ids, err = idList(ctx, q, "org_ids_after", map[string]any{"after": "", "limit": int64(100000)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var members []string
	if err := s.read(ctx, func(q querier) (err error) {
		members, err = idList(ctx, q, "member_ids_after", map[string]any{"after": "", "limit": int64(100000)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, at := range dates {
		must(s.Orgs(ctx, org.View{At: at}, ids))
		must(s.Roots(ctx, org.View{At: at}))
		// The members' ratings (all of Vĩnh Phúc's are rated).
		ms, err := s.Members(ctx, org.View{At: at}, members)
		ratings := make([][]org.YearRating, len(ms))
		for i := range ms {
			ratings[i] = ms[i].Ratings
		}
		must(ratings, err)
	}
	must(s.ChangeCounts(ctx, org.ChangeQuery{}))
	must(s.Changes(ctx, org.ChangeQuery{First: 200}))
	for _, id := range ids {
		must(s.ChangeCounts(ctx, org.ChangeQuery{Within: id}))
	}
	page, err := s.Changes(ctx, org.ChangeQuery{First: 500})
	must(page, err)
	for _, c := range page.Changes {
		if c.Decision.Number == "" {
			continue
		}
		var on org.Date
		must(nil, s.View(ctx, func(tx org.Tx) (err error) {
			on, err = tx.DecisionDate(ctx, c.Decision.IssuerID, strings.ToLower(c.Decision.Number))
			return err
		}))
		must(fmt.Sprintf("decision %s of %s dated %s, found %s", c.Decision.Number, c.Decision.IssuerID, c.Decision.Date, on), nil)
	}
	return b.String()
}

// firstDifference is the first line where got and want differ, shortened.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d\n got %.400s\nwant %.400s", i, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// older sets the fake's graph to what an earlier version left of u's data.
func (u *upgradeFixture) older(layout func(*fakeGraph)) {
	g := u.before.clone()
	layout(g)
	u.f.mu.Lock()
	u.f.g = g
	u.f.mu.Unlock()
}

// instance is another instance starting over u's database, with u's batches.
func (u *upgradeFixture) instance() *Store {
	s := newStore(u.f)
	s.batchSize = u.s.batchSize
	return s
}

// TestUpgradeAnswersAsAFreshImport: a database an earlier version wrote
// (the demo with random operations after it, left in each earlier layout)
// answers, once a start has migrated it, exactly as a fresh import of the
// same data: every organisation's counts on dates through its history and
// after the operations, the history and its counts, decisions by key. The
// migration runs in batches no larger than the import's, the counts it
// leaves match a count from scratch on every date checked, and a start
// after it finds nothing to do.
func TestUpgradeAnswersAsAFreshImport(t *testing.T) {
	u := newUpgradeFixture(t)
	for _, layout := range olderLayouts {
		t.Run(layout.name, func(t *testing.T) {
			u.older(layout.older)
			if layout.name == olderLayouts[0].name {
				if got := answers(t, u.instance(), u.dates); got == u.want {
					t.Fatal("the older layout answers as the current one: the test would prove nothing")
				}
			}
			s := u.instance()
			u.f.reset()
			if err := s.upgrade(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d statements in %d transactions (%d organisations, %d members, %d changes; batches of %d rows)",
				layout.name, len(u.f.calls), len(u.f.modes), len(u.f.g.orgs), len(u.f.g.members), len(u.f.g.changes), s.batchSize)
			if got := answers(t, s, u.dates); got != u.want {
				t.Fatalf("after the upgrade:\n%s", firstDifference(got, u.want))
			}
			u.f.g.assertCounts(t, u.dates)
			if u.f.g.schemaVersion != schemaVersion || u.f.g.migrating != "" {
				t.Fatalf("layout %d, claim %q: want %d, released", u.f.g.schemaVersion, u.f.g.migrating, schemaVersion)
			}
			for _, c := range u.f.only("migrate_counts") {
				rows := 0
				for _, r := range c.params["rows"].([]any) {
					rows += 1 + len(r.(map[string]any)["changes"].([]any))
				}
				if last := c.params["rows"].([]any)[len(c.params["rows"].([]any))-1].(map[string]any); rows-1-len(last["changes"].([]any)) >= s.batchSize {
					t.Fatalf("a batch of %d rows: more than %d before its last organisation", rows, s.batchSize)
				}
			}
			u.f.reset()
			if err := u.instance().upgrade(ctx); err != nil || !slices.Equal(u.f.names(), []string{"migration_claim"}) {
				t.Fatalf("a start after the upgrade: %v, statements %v", err, u.f.names())
			}
		})
	}
}

// TestUpgradeRetriedAndResumed: with every write transaction run twice (the
// first rolled back, as the driver retries), a migration that fails half way
// (its instance gone: its claim goes stale) is taken over by the next start,
// which migrates from scratch over what the first left, and answers as a
// fresh import.
func TestUpgradeRetriedAndResumed(t *testing.T) {
	u := newUpgradeFixture(t)
	u.older(olderLayouts[0].older)
	u.f.replays = 1
	batches := 0
	u.f.failIf = func(name string, _ map[string]any) error {
		if name == "migrate_counts" {
			if batches++; batches == 6 { // the third batch, run again after its first run rolled back
				return fmt.Errorf("the instance stopped")
			}
		}
		return nil
	}
	first := u.instance()
	if err := first.upgrade(ctx); err == nil {
		t.Fatal("the first migration did not fail")
	}
	if u.f.g.migrating == "" || u.f.g.schemaVersion != 0 {
		t.Fatalf("after a failed migration: claim %q, layout %d: want the claim held, the layout unchanged", u.f.g.migrating, u.f.g.schemaVersion)
	}
	// A start while the claim is fresh waits; once stale, it takes over.
	next := u.instance()
	next.importStale, next.importPoll = 50*time.Millisecond, 10*time.Millisecond
	if err := next.upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	if got := answers(t, next, u.dates); got != u.want {
		t.Fatalf("after the migration taken over:\n%s", firstDifference(got, u.want))
	}
	u.f.g.assertCounts(t, u.dates)
}

// TestUpgradeByOneOfTwoInstances: two instances starting together on a
// database an earlier version wrote: one migrates, the other waits until it
// is done (it answers nothing before), and the data is migrated once.
func TestUpgradeByOneOfTwoInstances(t *testing.T) {
	u := newUpgradeFixture(t)
	u.older(olderLayouts[0].older)
	u.f.reset()
	a, b := u.instance(), u.instance()
	b.importPoll = 5 * time.Millisecond
	// a stops between two transactions of its migration (each holds the Meta
	// node's lock) until b has found the claim busy.
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	beats := 0
	u.f.before = func(name string, _ int) {
		if name == "migration_beat" {
			if beats++; beats == 3 {
				once.Do(func() { close(held); <-release })
			}
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- a.upgrade(ctx) }()
	<-held
	go func() { errs <- b.upgrade(ctx) }()
	for busy := 0; busy < 3; {
		time.Sleep(5 * time.Millisecond)
		u.f.mu.Lock()
		busy = len(u.f.only("migration_claim")) - 1
		u.f.mu.Unlock()
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	u.f.before = nil
	if beats := u.f.only("migration_beat"); beats[len(beats)-1].params["last"] != true {
		t.Fatal("the last beat does not end the migration")
	}
	ids := map[string]bool{}
	for _, c := range u.f.only("migration_beat") {
		ids[c.params["id"].(string)] = true
	}
	if len(ids) != 1 {
		t.Fatalf("%d migrations ran, want one", len(ids))
	}
	if got := answers(t, b, u.dates); got != u.want {
		t.Fatalf("after the migration:\n%s", firstDifference(got, u.want))
	}
}

// TestUpgradeRefusesANewerLayout: a database a later version wrote is not
// served by this one, and an empty one or a fresh import needs nothing.
func TestUpgradeRefusesANewerLayout(t *testing.T) {
	s, f := newFake(t)
	if err := s.upgrade(ctx); err != nil || !slices.Equal(f.names(), []string{"migration_claim"}) {
		t.Fatalf("an empty database: %v, statements %v", err, f.names())
	}
	if _, err := s.Import(ctx, &recordList{sampleDataset()}); err != nil {
		t.Fatal(err)
	}
	if f.g.schemaVersion != schemaVersion {
		t.Fatalf("an import notes layout %d, want %d", f.g.schemaVersion, schemaVersion)
	}
	f.reset()
	if err := s.upgrade(ctx); err != nil || !slices.Equal(f.names(), []string{"migration_claim"}) {
		t.Fatalf("after an import: %v, statements %v", err, f.names())
	}
	f.g.schemaVersion = schemaVersion + 1
	if err := s.upgrade(ctx); err == nil || !strings.Contains(err.Error(), "later version") {
		t.Fatalf("a newer layout: %v", err)
	}
}

// TestLongStepsKeepTheirClaim: a step in memory that outlasts the staleness
// window (counting a country's history) keeps noting that its import or
// migration is alive, and a lost claim fails it.
func TestLongStepsKeepTheirClaim(t *testing.T) {
	s := &Store{importStale: 20 * time.Millisecond}
	var beats atomic.Int32
	beat := func() error { beats.Add(1); return nil }
	if err := s.keepingAlive(ctx, beat, func() error { time.Sleep(100 * time.Millisecond); return nil }); err != nil {
		t.Fatal(err)
	}
	if beats.Load() == 0 {
		t.Fatal("a step of five staleness windows noted nothing")
	}
	lost := func() error { return errMigrationLost }
	if err := s.keepingAlive(ctx, lost, func() error { time.Sleep(50 * time.Millisecond); return nil }); !errors.Is(err, errMigrationLost) {
		t.Fatalf("a lost claim answered %v", err)
	}
	failed := errors.New("counting failed")
	if err := s.keepingAlive(ctx, lost, func() error { time.Sleep(50 * time.Millisecond); return failed }); !errors.Is(err, failed) {
		t.Fatalf("the step's own error answered %v", err)
	}
}
