package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/scenario"
	"dangbo/internal/testseed"
)

// TwinOpener returns two stores over one new, empty database, as two
// instances of the service see it: on the embedded store, whose process owns
// its file, the same store twice; on Neo4j, two adapters with their own
// caches. The suite closes both.
type TwinOpener func(t *testing.T) (a, b org.Store)

// RunTwoInstances runs the suite's case for two instances over one database,
// "TwoInstances", against stores made by open.
func RunTwoInstances(t *testing.T, open TwinOpener) {
	t.Run("TwoInstances", func(t *testing.T) {
		a, b := open(t)
		t.Cleanup(func() {
			if b != a {
				b.Close()
			}
			a.Close()
		})
		testTwoInstances(t, newFixture(t, nil, a), b) // opens no other store
	})
}

// instance is one instance of the service: its history counts and its
// scenarios' replays are cached in it, keyed by the store's revision.
type instance struct {
	svc *org.Service
	scn *scenario.Service
}

func newInstance(s org.Store) instance {
	svc := org.NewService(s, func() org.Date { return today })
	return instance{svc, scenario.New(svc, s)}
}

// testTwoInstances: random writes of many kinds, organisations, members
// and scenarios, alternate between instance A and instance B over one database.
// After each, both answer a set of reads (an organisation and its counts,
// a children page, a breakdown, search, the history and its counts for the
// system and for a viewer of one commune, and every scenario's preview and
// diff) exactly as an instance started after the write does: neither serves
// what its caches kept from before a write through the other.
func testTwoInstances(t *testing.T, f *fixture, b org.Store) {
	c := f.commune()
	other := f.createOrg(c.district.ID, "Đảng bộ xã Liên Châu", org.GrassrootsCommittee, org.SectorCommune)
	otherCell := f.createOrg(other.ID, "Chi bộ thôn Nam", org.Cell, org.SectorVillage)
	cells := []string{c.village.ID, c.village2.ID, c.school.ID, otherCell.ID}
	committees := []string{c.commune.ID, other.ID}
	var members []string
	for i, cell := range cells {
		for j := range 2 {
			members = append(members, f.createMember(cell, fmt.Sprintf("Nguyễn Văn %c%d", 'A'+i, j), org.Official).ID)
		}
	}
	inst := [2]instance{{f.svc, f.scn}, newInstance(b)}
	name := [2]string{"A", "B"}
	viewer := f.as([]org.AccessRole{org.Viewer}, c.commune.ID)
	var scenarios []string
	before := f.changeSeqs()
	// Each instance follows the changes live: every write through either
	// must reach both streams.
	streamed := [2]func() []int64{f.collect(inst[0].svc), f.collect(inst[1].svc)}

	// answers is what an instance answers to the reads, serialised.
	answers := func(in instance) []string {
		var out []string
		add := func(what string, v any, err error) {
			if err != nil {
				out = append(out, what+": "+errorText(err))
				return
			}
			b, jerr := json.Marshal(v)
			if jerr != nil {
				t.Fatal(jerr)
			}
			out = append(out, what+": "+string(b))
		}
		for _, id := range []string{c.province.ID, c.district.ID, c.commune.ID, other.ID} {
			o, err := in.svc.Org(f.ctx, f.now(), id)
			add("org "+id, o, err)
		}
		for _, id := range committees {
			p, err := in.svc.Children(f.ctx, f.now(), id, org.PageQuery{First: 20}, nil)
			add("children "+id, p, err)
		}
		rows, err := in.svc.Breakdown(f.ctx, f.now(), c.district.ID, org.BreakdownStatus, 0)
		add("breakdown", rows, err)
		hits, err := in.svc.Search(f.ctx, f.now(), org.SearchQuery{Text: "thôn", First: 50})
		add("search", hits, err)
		for _, who := range []struct {
			name string
			ctx  context.Context
		}{{"system", f.ctx}, {"viewer", viewer}} {
			ctx := who.ctx
			page, err := in.svc.Changes(ctx, org.ChangeQuery{First: org.MaxPageSize})
			add("changes of "+who.name, page, err)
			counts, err := in.svc.ChangeCounts(ctx, org.ChangeQuery{})
			add("change counts of "+who.name, counts, err)
			counts, err = in.svc.ChangeCounts(ctx, org.ChangeQuery{Types: []org.ChangeType{org.ChangeRenamed, org.ChangeAdmitted}})
			add("renamed and admitted of "+who.name, counts, err)
		}
		for _, id := range scenarios {
			sc, err := in.svc.Scenario(f.ctx, id)
			add("scenario "+id, sc, err)
			v := org.View{At: today, Scenario: id}
			o, err := in.svc.Org(f.ctx, v, c.commune.ID)
			add("preview "+id, o, err)
			p, err := in.svc.Children(viewer, v, c.commune.ID, org.PageQuery{First: 20}, nil)
			add("previewed children "+id, p, err)
			d, err := in.scn.Diff(f.ctx, id)
			add("diff "+id, d, err)
		}
		return out
	}

	seed := testseed.Seed(t, 3)
	rng := rand.New(rand.NewPCG(seed, 19))
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	parentOf := func(id string) string {
		o, err := f.s.Org(f.ctx, f.now(), id)
		if err != nil {
			return ""
		}
		return o.ParentID
	}
	// decided runs op with a decision of the first of issuers the Charter
	// lets decide it.
	decided := func(op func(org.Meta) error, issuers ...string) error {
		var err error
		for _, is := range issuers {
			if err = op(f.by(is)); org.ErrorCode(err) != org.ERule {
				return err
			}
		}
		return err
	}
	applied := map[string]int{}
	for i := range 60 {
		w := inst[i%2]
		// Both instances read before the write, so that their caches hold
		// what the write makes stale.
		answers(inst[0])
		answers(inst[1])
		var err error
		var kind string
		switch rng.IntN(10) {
		case 0:
			kind = "rename"
			cell := pick(cells)
			err = decided(func(m org.Meta) error {
				return orErr(w.svc.RenameOrg(f.ctx, cell, fmt.Sprintf("Chi bộ thôn Đổi Tên %d", i), m))
			}, parentOf(cell))
		case 1:
			kind = "transfer"
			cell, to := pick(cells), pick(committees)
			err = decided(func(m org.Meta) error { return orErr(w.svc.TransferOrg(f.ctx, cell, to, m)) }, parentOf(cell), c.district.ID)
		case 2:
			kind = "admit"
			cell := pick(cells)
			var ch org.Change
			err = decided(func(m org.Meta) (err error) {
				ch, err = w.svc.AdmitMember(f.ctx, org.NewMember{CellID: cell, FullName: fmt.Sprintf("Trần Thị Mới %d", i)}, m)
				return err
			}, parentOf(cell))
			if err == nil {
				members = append(members, ch.Subjects[0])
			}
		case 3:
			kind = "move member"
			m, cell := pick(members), pick(cells)
			err = decided(func(meta org.Meta) error { return orErr(w.svc.TransferMember(f.ctx, m, cell, 0, meta)) },
				slices.Concat(committees, []string{c.district.ID})...)
		case 4:
			kind = "create scenario"
			var sc org.Scenario
			sc, err = w.scn.Create(f.ctx, fmt.Sprintf("Phương án %d", i), c.commune.ID, 0)
			if err == nil {
				scenarios = append(scenarios, sc.ID)
				// With an operation, so that it may be applied.
				err = orErr2(w.scn.AddOperations(f.ctx, sc.ID, []org.Operation{{Type: org.OpRenameOrg, ID: pick(cells), Name: fmt.Sprintf("Chi bộ thôn Dự Kiến %d", i)}}))
			}
		case 5, 6:
			kind = "edit scenario"
			if len(scenarios) == 0 {
				continue
			}
			var op org.Operation
			switch a, b := pick(cells), pick(cells); rng.IntN(3) {
			case 0:
				op = org.Operation{Type: org.OpRenameOrg, ID: a, Name: fmt.Sprintf("Chi bộ thôn Dự Kiến %d", i)}
			case 1:
				op = org.Operation{Type: org.OpMergeOrgs, Sources: []string{a}, TargetID: b}
			default:
				op = org.Operation{Type: org.OpTransferMember, MemberID: pick(members), CellID: a}
			}
			err = orErr2(w.scn.AddOperations(f.ctx, pick(scenarios), []org.Operation{op}))
		case 8:
			kind = "remove member"
			m := pick(members)
			err = decided(func(meta org.Meta) error { return orErr(w.svc.RemoveMember(f.ctx, m, org.RemovalWithdrew, meta)) },
				slices.Concat(committees, []string{c.district.ID})...)
		case 9:
			kind = "residence"
			m, cell := pick(members), pick([]string{c.village.ID, c.village2.ID, otherCell.ID})
			err = decided(func(meta org.Meta) error { return orErr(w.svc.SetResidence(f.ctx, m, cell, meta)) },
				slices.Concat(committees, []string{c.district.ID})...)
		default:
			kind = "apply scenario"
			if len(scenarios) == 0 {
				continue
			}
			id := pick(scenarios)
			err = decided(func(m org.Meta) error {
				_, _, err := w.scn.Apply(f.ctx, id, m.Decision, 0)
				return err
			}, c.commune.ID, c.district.ID)
		}
		switch code := org.ErrorCode(err); {
		case err == nil:
			applied[kind]++
		case !slices.Contains([]string{org.ENotFound, org.ERule, org.EInvalid, org.EConflict}, code):
			t.Fatalf("write %d (%s) through %s: %v", i, kind, name[i%2], err)
		}
		fresh := answers(newInstance(f.s))
		for k, in := range inst {
			got := answers(in)
			for j := range max(len(got), len(fresh)) {
				if j >= len(got) || j >= len(fresh) || got[j] != fresh[j] {
					t.Fatalf("after write %d (%s, %v) through %s, %s answers\n%s\nan instance started after the write\n%s",
						i, kind, err, name[i%2], name[k], at(got, j), at(fresh, j))
				}
			}
		}
	}
	var want []int64
	for _, seq := range f.changeSeqs() {
		if !slices.Contains(before, seq) {
			want = append(want, seq)
		}
	}
	if len(want) == 0 {
		t.Error("no change was recorded: the streams were tested on nothing")
	}
	for k, got := range streamed {
		if seqs := got(); !slices.Equal(seqs, want) {
			t.Errorf("%s's stream delivered changes %v, want %v", name[k], seqs, want)
		}
	}
	for _, kind := range []string{"rename", "transfer", "admit", "move member", "remove member", "residence", "create scenario", "edit scenario", "apply scenario"} {
		// The fixed seed exercises every kind; another may leave out one.
		if applied[kind] == 0 && seed == 3 {
			t.Errorf("no %s applied (%v): the test exercises nothing", kind, applied)
		}
	}
}

// changeSeqs are the numbers of every change in the history, ascending.
func (f *fixture) changeSeqs() []int64 {
	f.t.Helper()
	var seqs []int64
	for q := (org.ChangeQuery{First: org.MaxPageSize}); ; {
		page, err := f.svc.Changes(f.ctx, q)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, c := range page.Changes {
			seqs = append(seqs, c.Seq)
		}
		if !page.HasNext {
			break
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	slices.Sort(seqs)
	return seqs
}

// collect follows every change through svc from now on, and returns what
// ends the stream and gives the numbers it delivered, in order. It waits,
// up to liveWait, for the stream to catch up with the history first.
func (f *fixture) collect(svc *org.Service) func() []int64 {
	f.t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	f.t.Cleanup(cancel)
	st, err := svc.Follow(ctx, org.ChangeQuery{}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	var mu sync.Mutex
	var seqs []int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range st.C {
			mu.Lock()
			seqs = append(seqs, c.Seq)
			mu.Unlock()
		}
	}()
	return func() []int64 {
		last := f.changeSeqs()
		for deadline := time.Now().Add(liveWait); time.Now().Before(deadline); time.Sleep(livePoll) {
			mu.Lock()
			caughtUp := len(seqs) > 0 && seqs[len(seqs)-1] >= last[len(last)-1]
			mu.Unlock()
			if caughtUp {
				break
			}
		}
		cancel()
		<-done
		return seqs
	}
}

func orErr2(_ org.Scenario, err error) error { return err }

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(nothing)"
}
