package neo4j

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	n4j "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"dangbo/internal/org"
)

// call is one statement a store ran.
type call struct {
	name   string
	params map[string]any
	rows   int // records it returned
	tx     int // the transaction it ran in, numbered from 1
}

// ranStatement, when set, hears the name of every statement any fake runs.
var ranStatement func(name string)

// fakeDB stands in for the driver. It keeps a small graph as the rows the
// store wrote, answers the statements that read it from a Go model of what
// each statement does, records every statement with its parameters, rolls a
// transaction back when its work fails, and can run write work more than once
// as the driver does on a transient error.
//
// Transactions run concurrently, as on a server: a statement reads what is
// committed (what its own transaction wrote included), a transaction's
// writes reach the graph when it commits, and the statements that lock (see
// fakeLocks) take Neo4j's write locks on nodes, held until the transaction
// ends: a transaction wanting a lock another holds waits, and one whose wait
// would close a cycle fails with Neo4j's transient DeadlockDetected, which
// the driver's retry (modelled here) answers by running its work again.
type fakeDB struct {
	// mu guards everything below and the graph; statements run one at a
	// time under it, transactions interleave between statements.
	mu      sync.Mutex
	changed *sync.Cond      // a lock was released
	open    map[uint64]bool // the goroutines inside a transaction
	t       *testing.T
	g       *fakeGraph // as committed
	calls   []call
	modes   []n4j.AccessMode
	answer  map[string]func(p map[string]any) []row // canned answers, before the model
	fail    map[string]error                        // errors by statement
	// failIf, when set, fails the statements it returns an error for
	failIf func(name string, params map[string]any) error
	// before, when set, hears each statement before it runs (mu not held),
	// with its transaction's number: a test may block a transaction there
	before  func(name string, tx int)
	replays int // extra runs of each write, rolled back
	// loseAcks makes the first commit of every Update (commit.cypher, by its
	// key) apply, then fail as if the connection dropped during it.
	loseAcks bool
	lost     map[string]bool // the keys whose commit was reported lost
	// checkCounts checks the counts after every write of records (see assertCounts)
	checkCounts bool
	down        error                // what execute and verify fail with
	locks       map[string]*fakeTx   // the write locks held, by node
	waiting     map[*fakeTx]string   // the lock each waiting transaction waits for
	queues      map[string][]*fakeTx // those waiting for each lock, in turn
	deadlocks   int                  // transactions failed as deadlocked
	committed   []int64              // the numbers of the changes, in the order committed
	stopping    bool                 // set by a test when its writers are done
}

// fakeTx is one run of a transaction's work.
type fakeTx struct {
	n    int // its number, from 1
	read bool
	// own is the graph as committed when it first wrote, with its writes;
	// nil until it writes
	own    *fakeGraph
	writes []call // its writing statements, replayed on the graph at commit
}

func newFake(t *testing.T) (*Store, *fakeDB) {
	f := &fakeDB{t: t, g: newFakeGraph(), answer: map[string]func(map[string]any) []row{}, fail: map[string]error{}, lost: map[string]bool{},
		open: map[uint64]bool{}, locks: map[string]*fakeTx{}, waiting: map[*fakeTx]string{}, queues: map[string][]*fakeTx{}}
	f.changed = sync.NewCond(&f.mu)
	s := newStore(f)
	s.batchSize = 2
	return s, f
}

// maxFakeRetries bounds the runs of work that fail on a transient error.
const maxFakeRetries = 20

func (f *fakeDB) execute(ctx context.Context, mode n4j.AccessMode, work func(querier) error) error {
	// A transaction opened inside another on the same goroutine (a domain
	// read that should go through its Tx) could wait on the other's locks
	// forever: fail loudly instead of hanging the suite until its timeout.
	me := goroutine()
	f.mu.Lock()
	if f.open[me] {
		f.mu.Unlock()
		panic("fake neo4j: a transaction opened inside another on the same goroutine")
	}
	if f.down != nil {
		f.mu.Unlock()
		return f.down
	}
	f.open[me] = true
	f.modes = append(f.modes, mode)
	n := len(f.modes)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.open, me)
		f.mu.Unlock()
	}()
	run := func() (*fakeTx, error) {
		tx := &fakeTx{n: n, read: mode == n4j.AccessModeRead}
		return tx, work(fakeQuerier{f: f, tx: tx})
	}
	if mode == n4j.AccessModeWrite {
		for range f.replays {
			tx, _ := run()
			f.end(tx, false)
		}
	}
	var tx *fakeTx
	var err error
	for range maxFakeRetries {
		var neoErr *n4j.Neo4jError
		if tx, err = run(); err == nil || !errors.As(err, &neoErr) || !neoErr.IsRetriable() {
			break
		}
		f.end(tx, false)
	}
	if err != nil {
		f.end(tx, false)
		return err
	}
	f.end(tx, true)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checkCounts {
		// After a write of records or the end of an import: the counts
		// on the dates they change, the day before each, and open-ended.
		dates, checked := []org.Date{openEnd}, false
		for _, c := range tx.writes {
			if c.name == "commit" && c.params["revised"] == true {
				checked = true
				for _, r := range c.params["countChanges"].([]any) {
					on := fakeDate(r.(map[string]any)["since"], 0)
					dates = append(dates, on-1, on)
				}
			}
		}
		if dates = sortedSet(dates); checked {
			f.g.assertCounts(f.t, spread(dates, 8))
		}
	}
	if f.loseAcks {
		for _, c := range tx.writes {
			if key, ok := c.params["commit"].(string); ok && c.name == "commit" && !f.lost[key] {
				f.lost[key] = true
				return &n4j.ConnectivityError{Inner: errors.New("Connection lost during commit: EOF")}
			}
		}
	}
	return nil
}

// end commits tx (its writes replayed on the graph) or rolls it back, then
// releases its locks.
func (f *fakeDB) end(tx *fakeTx, commit bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if commit {
		for _, c := range tx.writes {
			fakeModels[c.name](f.g, c.params)
			if changes, ok := c.params["changes"].([]any); ok && c.name == "commit" {
				for _, r := range changes {
					f.committed = append(f.committed, r.(map[string]any)["seq"].(int64))
				}
			}
		}
	}
	for key, holder := range f.locks {
		if holder == tx {
			delete(f.locks, key)
		}
	}
	f.changed.Broadcast()
}

// lock takes the write lock on node key for tx, with mu held: it waits while
// another holds it or waited for it first (Neo4j grants a lock to its
// waiters in turn), and fails with Neo4j's DeadlockDetected when the
// holder waits, through others, for tx.
func (f *fakeDB) lock(tx *fakeTx, key string) error {
	defer delete(f.waiting, tx)
	for {
		holder := f.locks[key]
		if holder == tx {
			return nil
		}
		queue := f.queues[key]
		if holder == nil && (len(queue) == 0 || queue[0] == tx) {
			f.locks[key] = tx
			f.queues[key] = slices.DeleteFunc(queue, func(w *fakeTx) bool { return w == tx })
			return nil
		}
		for h := holder; h != nil; h = f.locks[f.waiting[h]] {
			if h == tx {
				f.deadlocks++
				f.queues[key] = slices.DeleteFunc(queue, func(w *fakeTx) bool { return w == tx })
				f.changed.Broadcast()
				return &n4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected",
					Msg: "ForsetiClient can't acquire ExclusiveLock: a deadlock"}
			}
			if _, waits := f.waiting[h]; !waits {
				break
			}
		}
		if !slices.Contains(queue, tx) {
			f.queues[key] = append(queue, tx)
		}
		f.waiting[tx] = key
		f.changed.Wait()
	}
}

// spread is at most n of list, evenly spaced, the last included.
func spread[T any](list []T, n int) []T {
	if len(list) <= n {
		return list
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, list[(i+1)*len(list)/n-1])
	}
	return out
}

// goroutine is the calling goroutine's number, read from its stack header
// ("goroutine 42 [running]:"): only this fake needs it, to name a deadlock.
func goroutine() uint64 {
	var buf [32]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	n, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return n
}

func (f *fakeDB) verify(context.Context) error { return f.down }

func (f *fakeDB) close(context.Context) error { return nil }

// names are the statements run, in order.
func (f *fakeDB) names() []string {
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.name
	}
	return out
}

// only are the calls of one statement.
func (f *fakeDB) only(name string) []call {
	var out []call
	for _, c := range f.calls {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// commitsOf are the commit statements that write something of part (a list
// parameter of commit.cypher), or set it (any other).
func (f *fakeDB) commitsOf(part string) []call {
	var out []call
	for _, c := range f.only("commit") {
		if l, ok := c.params[part].([]any); ok && len(l) > 0 || !ok && c.params[part] != nil && c.params[part] != false {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeDB) reset() { f.calls, f.modes = nil, nil }

// rows are the records the statements returned, each element of a record
// whose every column is a list (a working set) counting as one.
func (f *fakeDB) rows() int {
	n := 0
	for _, c := range f.calls {
		n += c.rows
	}
	return n
}

// fakeQuerier runs statements in one transaction of the fake; in a read
// transaction a statement that writes fails the test, as the server refuses it.
type fakeQuerier struct {
	f  *fakeDB
	tx *fakeTx
}

// writingClause finds, outside comments, a clause that writes.
var writingClause = regexp.MustCompile(`(?m)^[^/\n]*\b(CREATE|MERGE|SET|DELETE|REMOVE)\b`)

func (q fakeQuerier) query(_ context.Context, st *statement, params map[string]any) ([]*n4j.Record, error) {
	f, tx := q.f, q.tx
	writing := writingClause.MatchString(st.text)
	if tx.read && writing {
		f.t.Errorf("fake: %s writes, in a read transaction", st.name)
	}
	if ranStatement != nil {
		ranStatement(st.name)
	}
	if f.before != nil {
		f.before(st.name, tx.n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{name: st.name, params: params, tx: tx.n})
	if err := f.fail[st.name]; err != nil {
		return nil, err
	}
	if f.failIf != nil {
		if err := f.failIf(st.name, params); err != nil {
			return nil, err
		}
	}
	// Each pass locks what the statement locks as committed when it runs,
	// so that the second locks what a writer moved while the first waited.
	for range 2 {
		if locks := fakeLocks[st.name]; locks != nil {
			for _, key := range locks(f.g, params) {
				if err := f.lock(tx, key); err != nil {
					return nil, err
				}
			}
		}
	}
	g := f.g
	if tx.own != nil {
		g = tx.own
	}
	if writing && !lockOnly[st.name] {
		if tx.own == nil {
			tx.own = f.g.clone()
		}
		g = tx.own
		tx.writes = append(tx.writes, call{name: st.name, params: params})
	}
	var rows []row
	if answer := f.answer[st.name]; answer != nil {
		rows = answer(params)
	} else if model := fakeModels[st.name]; model != nil {
		rows = model(g, params)
	} else {
		f.t.Fatalf("fake: no answer for statement %s", st.name)
	}
	f.calls[len(f.calls)-1].rows = rowCount(rows)
	return asRecords(rows...), nil
}

// fakeLocks are the nodes each statement that locks takes the write lock of,
// as the graph g stands, in the order it takes them: those whose only write
// is there to lock (meta_lock, province_lock), and the Meta node commit.cypher
// and the import's statements write.
var fakeLocks = map[string]func(g *fakeGraph, p map[string]any) []string{
	"meta_lock":       func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"commit":          func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"import_claim":    func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"import_beat":     func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"migration_claim": func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"migration_beat":  func(*fakeGraph, map[string]any) []string { return []string{"meta"} },
	"scenario_lock":   func(_ *fakeGraph, p map[string]any) []string { return []string{"scenario:" + p["id"].(string)} },
	"province_lock": func(g *fakeGraph, p map[string]any) []string {
		var keys []string
		for _, id := range g.provincesAbove(p["ids"].([]string)) {
			keys = append(keys, "org:"+id)
		}
		return keys
	},
}

// lockOnly are the statements whose only write takes a lock.
var lockOnly = map[string]bool{"meta_lock": true, "province_lock": true, "scenario_lock": true}

// provincesAbove are the organisations part of nothing at the top of those
// of ids, and of those the members of ids are linked to, at any date, by id.
func (g *fakeGraph) provincesAbove(ids []string) []string {
	var orgs []string
	for _, id := range ids {
		if g.orgs[id] != nil {
			orgs = append(orgs, id)
		}
		for _, f := range slices.Concat(g.stints[id], g.residences[id], g.roles[id]) {
			orgs = append(orgs, f["orgId"].(string))
		}
	}
	var tops []string
	for _, id := range orgs {
		for _, a := range append([]string{id}, g.ancestorsEver(id)...) {
			if len(g.parts[a]) == 0 {
				tops = append(tops, a)
			}
		}
	}
	return sortedSet(tops)
}

// rowCount is len(rows), or for one row whose every column is a list, the
// elements of its lists: what a working set carries.
func rowCount(rows []row) int {
	if len(rows) != 1 || len(rows[0]) == 0 {
		return len(rows)
	}
	n := 0
	for _, v := range rows[0] {
		l, ok := v.([]any)
		if !ok {
			return 1
		}
		n += len(l)
	}
	return n
}

// asRecords turns rows into driver records, keys in a stable order.
func asRecords(rows ...row) []*n4j.Record {
	out := make([]*n4j.Record, len(rows))
	for i, r := range rows {
		keys := slices.Sorted(maps.Keys(r))
		values := make([]any, len(keys))
		for j, k := range keys {
			values[j] = r[k]
		}
		out[i] = &n4j.Record{Keys: keys, Values: values}
	}
	return out
}

// fakeGraph is the graph as the rows that wrote it.
type fakeGraph struct {
	orgs, members                  map[string]row   // node rows by id
	versions, parts                map[string][]row // fact rows by organisation
	stints, residences, roles      map[string][]row // fact rows by member
	counts                         map[string][]int64
	countChanges                   map[string]map[org.Date][]int64 // by organisation, by date
	changedTo                      map[string]org.Date             // by organisation
	constraintsAndIndexes, awaited int
	audit                          []row              // newest last
	changes                        []row              // as commit wrote them, in that order
	within                         map[int64][]string // the organisations each change is linked WITHIN
	changeSeq                      int64
	scenarios                      map[string]row // as scenario_put wrote them, by id
	commits                        map[string]bool
	revision                       int64
	importing                      string    // the import claiming the database
	importBeat                     time.Time // its last sign of life
	schemaVersion                  int64     // the layout noted on the Meta node (0: none)
	migrating                      string    // the migration claiming the database
	migrationBeat                  time.Time // its last sign of life
}

func newFakeGraph() *fakeGraph {
	return &fakeGraph{
		orgs: map[string]row{}, members: map[string]row{},
		versions: map[string][]row{}, parts: map[string][]row{},
		stints: map[string][]row{}, residences: map[string][]row{}, roles: map[string][]row{},
		counts: map[string][]int64{}, countChanges: map[string]map[org.Date][]int64{}, changedTo: map[string]org.Date{}, within: map[int64][]string{}, scenarios: map[string]row{}, commits: map[string]bool{},
	}
}

// clone copies the maps; rows and fact lists are never changed in place.
func (g *fakeGraph) clone() *fakeGraph {
	c := *g
	c.orgs, c.members = maps.Clone(g.orgs), maps.Clone(g.members)
	c.versions, c.parts = maps.Clone(g.versions), maps.Clone(g.parts)
	c.stints, c.residences, c.roles = maps.Clone(g.stints), maps.Clone(g.residences), maps.Clone(g.roles)
	c.counts, c.within, c.countChanges, c.changedTo = maps.Clone(g.counts), maps.Clone(g.within), maps.Clone(g.countChanges), maps.Clone(g.changedTo)
	c.scenarios, c.commits = maps.Clone(g.scenarios), maps.Clone(g.commits)
	return &c
}

func fakeDate(v any, absent org.Date) org.Date {
	if v == nil {
		return absent
	}
	return org.DateOf(v.(dbtype.Date).Time())
}

// holds reports whether a fact row holds on date at.
func holds(r row, at org.Date) bool {
	return org.Span{Since: fakeDate(r["since"], 0), Until: fakeDate(r["until"], org.Forever)}.Holds(at)
}

func anyList[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func paramIDs(p map[string]any) []string { return p["ids"].([]string) }

func paramDate(p map[string]any) org.Date { return fakeDate(p["at"], 0) }

// parentAt is the parent of organisation id on date at, with the open-ended
// state at openEnd.
func (g *fakeGraph) parentAt(id string, at org.Date) string {
	for _, p := range g.parts[id] {
		if holds(p, at) {
			return p["parentId"].(string)
		}
	}
	return ""
}

func (g *fakeGraph) versionAt(id string, at org.Date) row {
	for _, v := range g.versions[id] {
		if holds(v, at) {
			return v
		}
	}
	return nil
}

// subtree is id and everything below it on date at.
func (g *fakeGraph) subtree(id string, at org.Date) []string {
	out := []string{id}
	for _, child := range slices.Sorted(maps.Keys(g.orgs)) {
		if g.parentAt(child, at) == id {
			out = append(out, g.subtree(child, at)...)
		}
	}
	return out
}

// direct counts the members whose official cell id is on date at.
func (g *fakeGraph) direct(id string, at org.Date) (official, probationary int64) {
	for mid, facts := range g.stints {
		for _, s := range facts {
			if s["orgId"] == id && !s["temporary"].(bool) && holds(s, at) {
				if on := g.members[mid]["officialOn"]; on != nil && fakeDate(on, 0) <= at {
					official++
				} else {
					probationary++
				}
			}
		}
	}
	return official, probationary
}

// memberPage models cell_members_page and residents_page: the members with a
// fact of facts that points to the organisation, holds on the date and passes ok.
func (g *fakeGraph) memberPage(facts map[string][]row, p map[string]any, ok func(mid string, f row, at org.Date) bool) []row {
	at := paramDate(p)
	var list []row
	for mid, fs := range facts {
		for _, f := range fs {
			if f["orgId"] == p["id"] && holds(f, at) && ok(mid, f, at) {
				list = append(list, g.members[mid])
			}
		}
	}
	slices.SortFunc(list, func(a, b row) int {
		return cmp.Or(cmp.Compare(a["nameKey"].(string), b["nameKey"].(string)), cmp.Compare(a["id"].(string), b["id"].(string)))
	})
	var ids []any
	for _, m := range list {
		key, id := m["nameKey"].(string), m["id"].(string)
		if key > p["afterKey"].(string) || key == p["afterKey"] && id > p["afterId"].(string) {
			ids = append(ids, id)
		}
	}
	return []row{{"total": int64(len(list)), "ids": ids[:min(len(ids), int(p["limit"].(int64)))]}}
}

// searchScope is every organisation a search may find: those in the
// subtrees p["within"] names, or all.
func (g *fakeGraph) searchScope(p map[string]any) []string {
	within, _ := p["within"].([]string)
	if within == nil {
		return slices.Sorted(maps.Keys(g.orgs))
	}
	var out []string
	for _, id := range within {
		out = append(out, g.subtree(id, paramDate(p))...)
	}
	return out
}

func (g *fakeGraph) isMember(id string, at org.Date) bool {
	for _, s := range g.stints[id] {
		if !s["temporary"].(bool) && holds(s, at) {
			return true
		}
	}
	return false
}

// orgRecords models the columns of org_records and subtree_records for
// those of ids that exist, with their counts on date at.
func (g *fakeGraph) orgRecords(ids []string, at org.Date) []row {
	var out []row
	for _, id := range ids {
		o := g.orgs[id]
		if o == nil {
			continue
		}
		var counts any
		if c, ok := g.counts[id]; ok {
			c = slices.Clone(c)
			for on, change := range g.countChanges[id] {
				for i := range c {
					if to, ok := g.changedTo[id]; ok && to > at && on > at {
						c[i] -= change[i]
					}
				}
			}
			counts = anyList(c)
		}
		out = append(out, row{
			"id": id, "code": o["code"], "rev": o["rev"], "ratingYears": o["ratingYears"],
			"ratingGrades": o["ratingGrades"], "ratingDates": o["ratingDates"], "meetingYears": o["meetingYears"], "meetingCounts": o["meetingCounts"],
			"meetingDates": o["meetingDates"], "counts": counts, "versions": withoutID(g.versions[id]),
		})
	}
	return out
}

// replaceFacts models the deletions of facts in commit.cypher.
func replaceFacts(ids []string, lists ...map[string][]row) {
	for _, id := range ids {
		for _, l := range lists {
			delete(l, id)
		}
	}
}

// createFacts models the CALL blocks of commit.cypher that create facts: each
// row whose endpoints exist becomes a fact, and the count is returned.
func createFacts(p map[string]any, key string, into map[string][]row, exists func(row) bool) int64 {
	var n int64
	rows, _ := p[key].([]any)
	for _, r := range rows {
		r := r.(map[string]any)
		if exists(r) {
			id := r["id"].(string)
			into[id] = append(slices.Clone(into[id]), r)
			n++
		}
	}
	return n
}

// withoutID drops the id a fact row carries for its own record, as the map
// projections of the records statements do.
func withoutID(facts []row) []any {
	var out []any
	for _, f := range facts {
		m := maps.Clone(f)
		delete(m, "id")
		out = append(out, m)
	}
	return out
}

// commit models commit.cypher, part by part.
func (g *fakeGraph) commit(p map[string]any) []row {
	upsert := func(into map[string]row, rows any) {
		for _, r := range rows.([]any) {
			r := r.(map[string]any)
			into[r["id"].(string)] = r
		}
	}
	upsert(g.orgs, p["orgs"])
	replaceFacts(p["orgFacts"].([]string), g.versions, g.parts)
	orgExists := func(r row) bool { return g.orgs[r["id"].(string)] != nil }
	out := row{
		"versions": createFacts(p, "versions", g.versions, orgExists),
		"parts":    createFacts(p, "parts", g.parts, func(r row) bool { return orgExists(r) && g.orgs[r["parentId"].(string)] != nil }),
	}
	upsert(g.members, p["members"])
	replaceFacts(p["memberFacts"].([]string), g.stints, g.residences, g.roles)
	exists := func(r row) bool { return g.members[r["id"].(string)] != nil && g.orgs[r["orgId"].(string)] != nil }
	out["stints"] = createFacts(p, "stints", g.stints, exists)
	out["residences"] = createFacts(p, "residences", g.residences, exists)
	out["roles"] = createFacts(p, "roles", g.roles, exists)
	out["changes"], out["links"] = g.createChanges(p["changes"].([]any))
	out["rescoped"], out["relinks"] = g.rescopeChanges(p["rescoped"].([]any))
	for _, r := range p["counts"].([]any) {
		r := r.(map[string]any)
		id := r["id"].(string)
		if g.orgs[id] == nil {
			continue
		}
		g.counts[id] = r["counts"].([]int64)
		if to, ok := r["changedTo"].(dbtype.Date); ok && fakeDate(to, 0) > g.changedTo[id] {
			g.changedTo[id] = fakeDate(to, 0)
		}
	}
	if seq, ok := p["changeSeq"].(int64); ok {
		g.changeSeq = max(g.changeSeq, seq)
	}
	cloned := map[string]bool{} // inner maps are shared with clones of the graph: copied once a statement
	for _, r := range p["countChanges"].([]any) {
		r := r.(map[string]any)
		id, on, change := r["id"].(string), fakeDate(r["since"], 0), r["counts"].([]int64)
		if g.orgs[id] == nil {
			continue
		}
		if !cloned[id] {
			cloned[id] = true
			g.countChanges[id] = maps.Clone(g.countChanges[id])
			if g.countChanges[id] == nil {
				g.countChanges[id] = map[org.Date][]int64{}
			}
		}
		sum := slices.Clone(change)
		for i, n := range g.countChanges[id][on] {
			sum[i] += n
		}
		g.countChanges[id][on] = sum
	}
	if p["revised"].(bool) {
		g.revision++
	}
	last := int64(len(g.audit)) // the counter, read once
	for i, e := range p["audit"].([]any) {
		r := maps.Clone(e.(map[string]any))
		r["seq"] = last + int64(i) + 1
		r["roles"] = anyList(r["roles"].([]string)) // the driver hands lists back as []any
		g.audit = append(slices.Clip(g.audit), r)
	}
	if key, ok := p["commit"].(string); ok {
		if g.commits[key] {
			panic("fake: an Update committed twice, against the commit_key constraint")
		}
		g.commits[key] = true
	}
	return []row{out}
}

// createChanges models the changes of commit.cypher.
func (g *fakeGraph) createChanges(rows []any) (changes, links int64) {
	// Clipped once, so that the rows go to an array of their own (a
	// snapshot may share the old one), then appended amortised: a commit
	// of 10,000 changes once took 30 s here.
	g.changes = slices.Clip(g.changes)
	for _, r := range rows {
		r := maps.Clone(r.(map[string]any))
		seq := r["seq"].(int64)
		if _, dup := g.within[seq]; dup {
			panic("fake: a change number created twice, against the change_seq constraint")
		}
		for _, key := range []string{"subjects", "scope"} { // the driver hands lists back as []any
			if ids, ok := r[key].([]string); ok {
				r[key] = anyList(ids)
			}
		}
		scope, _ := r["scope"].([]any)
		var linked []string
		for _, id := range scope {
			if g.orgs[id.(string)] != nil {
				linked = append(linked, id.(string))
			}
		}
		g.changes = append(g.changes, r)
		g.within[seq] = linked
		changes++
		links += int64(len(linked))
	}
	return changes, links
}

// rescopeChanges models the changes rewritten of commit.cypher: each row's
// change takes its scope and is linked WITHIN it again.
func (g *fakeGraph) rescopeChanges(rows []any) (rescoped, links int64) {
	if len(rows) == 0 {
		return 0, 0
	}
	g.changes = slices.Clone(g.changes) // a snapshot may share the old rows
	for _, r := range rows {
		r := r.(map[string]any)
		seq := r["seq"].(int64)
		i := slices.IndexFunc(g.changes, func(c row) bool { return c["seq"].(int64) == seq })
		if i < 0 {
			continue
		}
		c := maps.Clone(g.changes[i])
		ids, _ := r["scope"].([]string)
		c["scope"] = anyList(ids)
		var linked []string
		for _, id := range ids {
			if g.orgs[id] != nil {
				linked = append(linked, id)
			}
		}
		g.changes[i], g.within[seq] = c, linked
		rescoped++
		links += int64(len(linked))
	}
	return rescoped, links
}

// fakeModels answers each statement the way its Cypher does, over the fake graph.
var fakeModels = map[string]func(g *fakeGraph, p map[string]any) []row{
	"await_indexes": func(g *fakeGraph, p map[string]any) []row { g.awaited++; return nil },
	"audit_log": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, r := range slices.Backward(g.audit) {
			if before, ok := p["before"].(int64); (!ok || r["seq"].(int64) < before) && int64(len(out)) < p["limit"].(int64) {
				out = append(out, r)
			}
		}
		return out
	},
	"audit_count": func(g *fakeGraph, _ map[string]any) []row { return []row{{"total": int64(len(g.audit))}} },
	"meta_lock": func(g *fakeGraph, p map[string]any) []row {
		return []row{{"changeSeq": g.changeSeq, "applied": g.commits[p["commit"].(string)]}}
	},
	"province_lock": func(g *fakeGraph, p map[string]any) []row {
		return []row{{"tops": anyList(g.provincesAbove(p["ids"].([]string))), "applied": g.commits[p["commit"].(string)]}}
	},
	"revision":    func(g *fakeGraph, _ map[string]any) []row { return []row{{"revision": g.revision}} },
	"org_records": func(g *fakeGraph, p map[string]any) []row { return g.orgRecords(paramIDs(p), paramDate(p)) },
	"count_history": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range paramIDs(p) {
			if g.orgs[id] == nil {
				continue
			}
			var counts, changes any
			if c, ok := g.counts[id]; ok {
				counts = anyList(c)
			}
			var list []any
			for on, c := range g.countChanges[id] {
				list = append(list, map[string]any{"since": dateParam(on), "counts": anyList(c)})
			}
			changes = list
			out = append(out, row{"id": id, "counts": counts, "changes": changes})
		}
		return out
	},
	"orgs_above": func(g *fakeGraph, p map[string]any) []row {
		var ids []string
		for _, id := range paramIDs(p) {
			if g.orgs[id] != nil {
				ids = append(ids, id)
				ids = append(ids, g.ancestorsEver(id)...)
			}
		}
		return g.orgRecords(sortedSet(ids), openEnd)
	},
	"commit": (*fakeGraph).commit,
	"subtree_records": func(g *fakeGraph, p map[string]any) []row {
		return g.orgRecords(g.subtree(p["id"].(string), paramDate(p)), paramDate(p))
	},
	"member_records": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range paramIDs(p) {
			m := g.members[id]
			if m == nil {
				continue
			}
			r := maps.Clone(m)
			delete(r, "nameKey")
			r["stints"], r["residences"], r["roles"] = withoutID(g.stints[id]), withoutID(g.residences[id]), withoutID(g.roles[id])
			out = append(out, r)
		}
		return out
	},
	"paths_at": func(g *fakeGraph, p map[string]any) []row {
		at := paramDate(p)
		var out []row
		for _, id := range paramIDs(p) {
			path := []any{id}
			for parent := g.parentAt(id, at); parent != ""; parent = g.parentAt(parent, at) {
				path = append([]any{parent}, path...)
			}
			out = append(out, row{"id": id, "path": path})
		}
		return out
	},
	"covers_on": func(g *fakeGraph, p map[string]any) []row {
		roots := p["roots"].([]string)
		var out []row
		for i, a := range p["asks"].([]any) {
			ask := a.(map[string]any)
			at := fakeDate(ask["at"], 0)
			for id := ask["id"].(string); id != "" && g.versionAt(id, at) != nil; id = g.parentAt(id, at) {
				if slices.Contains(roots, id) {
					out = append(out, row{"i": int64(i)})
					break
				}
			}
		}
		return out
	},
	"roots_at": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range slices.Sorted(maps.Keys(g.orgs)) {
			if v := g.versionAt(id, paramDate(p)); v != nil && v["parentId"] == nil {
				out = append(out, row{"id": id})
			}
		}
		return out
	},
	// The full-text index is modelled as matching every name: the adapter
	// scores and filters candidates itself, as it does Lucene's.
	"search_orgs": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range g.searchScope(p) {
			if v := g.versionAt(id, paramDate(p)); v != nil {
				out = append(out, row{"id": id, "nameKey": v["nameKey"]})
			}
		}
		return out
	},
	"search_members": func(g *fakeGraph, p map[string]any) []row {
		in := map[string]bool{}
		for _, id := range g.searchScope(p) {
			in[id] = true
		}
		var out []row
		for _, mid := range slices.Sorted(maps.Keys(g.stints)) {
			for _, f := range g.stints[mid] {
				if cell := f["orgId"].(string); !f["temporary"].(bool) && holds(f, paramDate(p)) && in[cell] {
					out = append(out, row{"id": mid, "nameKey": g.members[mid]["nameKey"], "cellId": cell})
				}
			}
		}
		return out
	},
	"children_at": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range slices.Sorted(maps.Keys(g.orgs)) {
			if g.parentAt(id, paramDate(p)) == p["id"] {
				out = append(out, row{"id": id})
			}
		}
		return out
	},
	"cell_members_page": func(g *fakeGraph, p map[string]any) []row {
		return g.memberPage(g.stints, p, func(_ string, f row, _ org.Date) bool { return !f["temporary"].(bool) })
	},
	"residents_page": func(g *fakeGraph, p map[string]any) []row {
		return g.memberPage(g.residences, p, func(mid string, _ row, at org.Date) bool { return g.isMember(mid, at) })
	},
	"residence_links": func(g *fakeGraph, p map[string]any) []row {
		at, cells := paramDate(p), p["cells"].([]string)
		members := map[[2]string]map[string]bool{}
		for mid, residences := range g.residences {
			for _, r := range residences {
				for _, s := range g.stints[mid] {
					pair := [2]string{s["orgId"].(string), r["orgId"].(string)}
					if holds(r, at) && holds(s, at) && !s["temporary"].(bool) && pair[0] != pair[1] &&
						slices.Contains(cells, pair[0]) && slices.Contains(cells, pair[1]) {
						if members[pair] == nil {
							members[pair] = map[string]bool{}
						}
						members[pair][mid] = true
					}
				}
			}
		}
		var out []row
		for _, pair := range slices.SortedFunc(maps.Keys(members), func(a, b [2]string) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		}) {
			out = append(out, row{"fromId": pair[0], "toId": pair[1], "members": int64(len(members[pair]))})
		}
		return out
	},
	"change_seq_last": func(g *fakeGraph, _ map[string]any) []row { return []row{{"seq": g.changeSeq}} },
	"decision_date": func(g *fakeGraph, p map[string]any) []row {
		for _, c := range g.changes {
			if c["issuerId"] == p["issuerId"] && c["decisionKey"] == p["key"] {
				return []row{{"decisionDate": c["decisionDate"]}}
			}
		}
		return nil
	},
	"linked_members": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range slices.Sorted(maps.Keys(g.members)) {
			facts := slices.Concat(g.stints[id], g.residences[id], g.roles[id])
			if slices.ContainsFunc(facts, func(f row) bool { return f["orgId"] == p["id"] }) {
				out = append(out, row{"id": id})
			}
		}
		return out
	},
	"child_ids": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, id := range slices.Sorted(maps.Keys(g.orgs)) {
			if slices.ContainsFunc(g.parts[id], func(r row) bool { return r["parentId"] == p["id"] }) {
				out = append(out, row{"id": id})
			}
		}
		return out
	},
	"changes_page":         func(g *fakeGraph, p map[string]any) []row { return g.changePage(p) },
	"changes_within_page":  func(g *fakeGraph, p map[string]any) []row { return g.changePage(p) },
	"change_counts":        func(g *fakeGraph, p map[string]any) []row { return g.changeCounts(p) },
	"change_counts_within": func(g *fakeGraph, p map[string]any) []row { return g.changeCounts(p) },
	"changes_after": func(g *fakeGraph, p map[string]any) []row {
		var out []row
		for _, c := range g.sortedChanges(func(a, b row) int { return cmp.Compare(a["seq"].(int64), b["seq"].(int64)) }) {
			if c["seq"].(int64) > p["after"].(int64) && len(out) < int(p["limit"].(int64)) {
				out = append(out, c)
			}
		}
		return out
	},
	"org_ids_after": func(g *fakeGraph, p map[string]any) []row {
		return idsAfter(slices.Sorted(maps.Keys(g.orgs)), p)
	},
	"member_ids_after": func(g *fakeGraph, p map[string]any) []row {
		return idsAfter(slices.Sorted(maps.Keys(g.members)), p)
	},
	"scenario_put": func(g *fakeGraph, p map[string]any) []row {
		g.scenarios[p["id"].(string)] = maps.Clone(p)
		return nil
	},
	"scenario_lock": func(g *fakeGraph, p map[string]any) []row {
		var json any
		if sc := g.scenarios[p["id"].(string)]; sc != nil {
			json = sc["json"]
		}
		return []row{{"json": json, "applied": g.commits[p["commit"].(string)]}}
	},
	"scenario_get": func(g *fakeGraph, p map[string]any) []row {
		if sc := g.scenarios[p["id"].(string)]; sc != nil {
			return []row{{"json": sc["json"]}}
		}
		return nil
	},
	"scenarios_all": func(g *fakeGraph, _ map[string]any) []row {
		var out []row
		for _, sc := range slices.SortedFunc(maps.Values(g.scenarios), func(a, b row) int {
			return cmp.Or(b["createdAt"].(time.Time).Compare(a["createdAt"].(time.Time)), cmp.Compare(a["id"].(string), b["id"].(string)))
		}) {
			out = append(out, row{"json": sc["json"]})
		}
		return out
	},
}

func idsAfter(sorted []string, p map[string]any) []row {
	var out []row
	for _, id := range sorted {
		if id > p["after"].(string) && len(out) < int(p["limit"].(int64)) {
			out = append(out, row{"id": id})
		}
	}
	return out
}

func init() {
	for name := range statements {
		if strings.HasPrefix(name, "schema_") {
			fakeModels[name] = func(g *fakeGraph, _ map[string]any) []row { g.constraintsAndIndexes++; return nil }
		}
	}
}

// sortedChanges are the changes in the order of less.
func (g *fakeGraph) sortedChanges(less func(a, b row) int) []row {
	return slices.SortedFunc(slices.Values(g.changes), less)
}

// selectedChanges models the WHERE clause the history statements share: the
// changes linked WITHIN $within when the statement has it, effective from
// lowest until $until, of $types when it is not null.
func (g *fakeGraph) selectedChanges(p map[string]any, lowest org.Date) []row {
	until := fakeDate(p["until"], 0)
	var out []row
	for _, c := range g.sortedChanges(compareChangeRows) {
		on := fakeDate(c["effectiveOn"], 0)
		within, scoped := p["within"]
		types, typed := p["types"].([]string)
		if on >= lowest && on < until && (!typed || slices.Contains(types, c["type"].(string))) &&
			(!scoped || slices.Contains(g.within[c["seq"].(int64)], within.(string))) {
			out = append(out, c)
		}
	}
	return out
}

// compareChangeRows orders change rows as the history: effective date, then number.
func compareChangeRows(a, b row) int {
	return cmp.Or(cmp.Compare(fakeDate(a["effectiveOn"], 0), fakeDate(b["effectiveOn"], 0)),
		cmp.Compare(a["seq"].(int64), b["seq"].(int64)))
}

// changePage models changes_page and changes_within_page.
func (g *fakeGraph) changePage(p map[string]any) []row {
	fromOn, fromSeq := fakeDate(p["fromOn"], 0), p["fromSeq"].(int64)
	var out []row
	for _, c := range g.selectedChanges(p, fromOn) {
		if (fakeDate(c["effectiveOn"], 0) > fromOn || c["seq"].(int64) > fromSeq) && len(out) < int(p["limit"].(int64)) {
			out = append(out, c)
		}
	}
	return out
}

// changeCounts models change_counts and change_counts_within: a row a type
// that has changes, in no particular order.
func (g *fakeGraph) changeCounts(p map[string]any) []row {
	counts := map[string]int64{}
	for _, c := range g.selectedChanges(p, fakeDate(p["since"], 0)) {
		counts[c["type"].(string)]++
	}
	var out []row
	for typ, n := range counts {
		out = append(out, row{"type": typ, "changes": n})
	}
	return out
}
