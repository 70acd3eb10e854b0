package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// ratedFixture is a store of the Vĩnh Phúc demo with a generated history:
// ratings of organisations and members and counts of meetings, each year of
// each rated once (as the layout before dated facts kept one a year), among
// transfers and renames, on increasing effective dates.
type ratedFixture struct {
	dir    string
	svc    *org.Service
	today  org.Date
	dates  []org.Date // of interest: each change's, the day before, 31 December and 1 January
	rated  []string   // the organisations and members rated
	orgsOf map[string]bool
}

func buildRatedFixture(t *testing.T, seed uint64) *ratedFixture {
	t.Helper()
	ctx := org.WithPrincipal(context.Background(), org.System)
	f := &ratedFixture{dir: t.TempDir(), today: org.DateFrom(2022, 12, 31), orgsOf: map[string]bool{}}
	s, err := Open(f.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Import(ctx, demo.VinhPhuc().Reader()); err != nil {
		t.Fatal(err)
	}
	f.svc = org.NewService(s, func() org.Date { return f.today })
	sd := s.read()
	var cells, members []string
	for id, e := range sd.g.orgs {
		if v, ok := e.rec.At(demo.Reference); ok && v.Kind.IsCell() {
			cells = append(cells, id)
		}
	}
	for id := range sd.g.members {
		members = append(members, id)
	}
	sd.mu.RUnlock()
	slices.Sort(cells)
	slices.Sort(members)
	rng := rand.New(rand.NewPCG(seed, 0))
	once := map[string]bool{}
	on, rated := demo.Reference, 0
	for i := 0; i < 120; i++ {
		// At a year's end, one in two on 31 December: such a decision is
		// stored undated.
		next := on + org.Date(1+rng.IntN(6))
		if end := org.DateFrom(on.Year(), 12, 31); next > end && on < end && rng.IntN(2) == 0 {
			next = end
		}
		if on = next; on.Year() > f.today.Year() {
			break
		}
		cell := cells[rng.IntN(len(cells))]
		member := members[rng.IntN(len(members))]
		kind := rng.IntN(5)
		subject := cell
		if kind == 1 {
			m, err := f.svc.Member(ctx, org.View{At: on}, member)
			if err != nil {
				continue
			}
			subject, cell = member, m.CellID
		}
		o, err := f.svc.Org(ctx, org.View{At: on}, cell)
		if err != nil {
			continue
		}
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ/TU", 900+i), Date: on, IssuerID: o.ParentID}, EffectiveOn: on}
		// Not the demo's year, whose ratings no change recorded.
		year := max(on.Year()-rng.IntN(2), demo.RatingYear+1)
		key := fmt.Sprint(kind == 2, subject, year)
		if kind <= 2 && once[key] {
			continue
		}
		switch kind {
		case 0:
			_, err = f.svc.RecordRating(ctx, org.Rating{OrgID: cell, Year: year, Grade: org.Grade(rng.IntN(int(org.NumGrades)))}, meta)
		case 1:
			_, err = f.svc.RecordRating(ctx, org.Rating{MemberID: member, Year: year, Grade: org.Grade(rng.IntN(int(org.NumGrades)))}, meta)
		case 2:
			_, err = f.svc.RecordMeetings(ctx, cell, year, rng.IntN(13), meta)
		case 3:
			_, err = f.svc.TransferMember(ctx, member, cells[rng.IntN(len(cells))], 0, meta)
		default:
			_, err = f.svc.RenameOrg(ctx, cell, fmt.Sprintf("Chi bộ số %d", i), meta)
		}
		if err != nil {
			continue
		}
		if kind <= 2 {
			once[key], rated = true, rated+1
			if !slices.Contains(f.rated, subject) {
				f.rated = append(f.rated, subject)
				f.orgsOf[subject] = kind != 1
			}
		}
		f.dates = append(f.dates, on-1, on, org.DateFrom(on.Year(), 12, 31), org.DateFrom(on.Year()+1, 1, 1))
	}
	if rated < 20 {
		t.Fatalf("%d ratings and counts of meetings recorded: the fixture would test little", rated)
	}
	slices.Sort(f.dates)
	f.dates = slices.Compact(f.dates)
	return f
}

// undateFile rewrites the closed store in dir as versions before dated facts
// left it: the facts decided before cut, in its records (in their JSON form)
// and its history, without their date, and no mark that they are dated.
func undateFile(t *testing.T, dir string, cut org.Date) {
	t.Helper()
	undateRecord := func(r org.Record) {
		if o := r.Org; o != nil {
			o.Ratings, o.Meetings = undated(o.Ratings, cut), undated(o.Meetings, cut)
		}
		if m := r.Member; m != nil {
			m.Ratings = undated(m.Ratings, cut)
		}
	}
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{orgBucket, memberBucket, changeBucket} {
			b := tx.Bucket(name)
			var puts []kv
			if err := b.ForEach(func(k, v []byte) error {
				var r org.Record
				var c org.Change
				var err error
				switch {
				case bytes.Equal(name, orgBucket):
					r.Org = &org.OrgRecord{}
					err = decodeOrg(v, r.Org)
				case bytes.Equal(name, memberBucket):
					r.Member = &org.MemberRecord{}
					err = decodeMember(v, r.Member)
				default:
					err = json.Unmarshal(v, &c)
				}
				if err != nil {
					return err
				}
				undateRecord(r)
				for _, r := range slices.Concat(c.Before, c.After) {
					undateRecord(r)
				}
				var nv []byte
				switch {
				case r.Org != nil:
					nv, err = json.Marshal(r.Org)
				case r.Member != nil:
					nv, err = json.Marshal(r.Member)
				default:
					nv, err = json.Marshal(&c)
				}
				puts = append(puts, kv{bytes.Clone(k), nv})
				return err
			}); err != nil {
				return err
			}
			for _, p := range puts {
				if err := b.Put(p.k, p.v); err != nil {
					return err
				}
			}
		}
		return undate(tx)
	}); err != nil {
		t.Fatal(err)
	}
}

// undated is facts with those decided before cut undated, kept by year and
// date as every version keeps them.
func undated[T org.YearRating | org.YearCount](facts []T, cut org.Date) []T {
	out := slices.Clone(facts)
	key := func(f *T) (*org.Date, int, org.Date) {
		switch x := any(f).(type) {
		case *org.YearRating:
			return &x.On, x.Year, x.Decided()
		case *org.YearCount:
			return &x.On, x.Year, x.Decided()
		}
		panic("unreachable")
	}
	for i := range out {
		if on, _, decided := key(&out[i]); decided < cut {
			*on = 0
		}
	}
	slices.SortStableFunc(out, func(a, b T) int {
		_, ya, da := key(&a)
		_, yb, db := key(&b)
		return cmp.Or(cmp.Compare(ya, yb), cmp.Compare(da, db))
	})
	return out
}

// yearlyReads is what the service reads of the rated organisations and
// members on each date, as JSON.
func yearlyReads(t *testing.T, svc *org.Service, f *ratedFixture) string {
	t.Helper()
	ctx := org.WithPrincipal(context.Background(), org.System)
	var b strings.Builder
	for _, d := range f.dates {
		for _, id := range f.rated {
			var v any
			var err error
			if f.orgsOf[id] {
				var o org.Org
				o, err = svc.Org(ctx, org.View{At: d}, id)
				v = []any{o.Ratings, o.Meetings}
			} else {
				var m org.Member
				m, err = svc.Member(ctx, org.View{At: d}, id)
				v = m.Ratings
			}
			if err != nil {
				v = err.Error()
			}
			j, _ := json.Marshal(v)
			fmt.Fprintf(&b, "%s %s %s\n", d, id, j)
		}
	}
	return b.String()
}

// logBuffer is a store's log, which the background rewrite of records of
// the older form writes to as well.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

// openLogged opens the store in dir, its log written to buf.
func openLogged(t *testing.T, dir string, buf *logBuffer) *Store {
	t.Helper()
	s, err := Open(dir, slog.New(slog.NewTextHandler(buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUndatedFactsDated: a file whose yearly facts an earlier version wrote
// without their date opens with them dated from its history, its records and
// its changes' records alike: every read, and the export with the history,
// as the store that dated them from the start. A second open dates nothing.
func TestUndatedFactsDated(t *testing.T) {
	f := buildRatedFixture(t, testseed.Seed(t, 28))
	s := openLogged(t, f.dir, &logBuffer{})
	svc := org.NewService(s, func() org.Date { return f.today })
	want, wantExport := yearlyReads(t, svc, f), exportOf(t, s)
	s.Close()

	undateFile(t, f.dir, org.Forever)
	var log logBuffer
	s = openLogged(t, f.dir, &log)
	svc = org.NewService(s, func() org.Date { return f.today })
	if got := yearlyReads(t, svc, f); got != want {
		t.Fatalf("the older file reads otherwise:\n%s", firstLineDiff(got, want))
	}
	if got := exportOf(t, s); !reflect.DeepEqual(got, wantExport) {
		t.Fatal("the older file exports otherwise than the store that dated its facts from the start")
	}
	s.Close()
	if !strings.Contains(log.String(), "dated the ratings") {
		t.Fatalf("the first open dated nothing:\n%s", log.String())
	}

	log.Reset()
	s = openLogged(t, f.dir, &log)
	defer s.Close()
	if strings.Contains(log.String(), "dated the ratings") {
		t.Fatalf("the second open dated again:\n%s", log.String())
	}
	if got := exportOf(t, s); !reflect.DeepEqual(got, wantExport) {
		t.Fatal("the second open exports otherwise")
	}
}

// TestDatingInterrupted: a crash while dating leaves the file as it was or
// dated, and the next open dates it (again) to the same: here, the dated
// records written without the mark.
func TestDatingInterrupted(t *testing.T) {
	f := buildRatedFixture(t, testseed.Seed(t, 29))
	s := openLogged(t, f.dir, &logBuffer{})
	want := exportOf(t, s)
	s.Close()
	undateFile(t, f.dir, org.Forever)
	s = openLogged(t, f.dir, &logBuffer{})
	s.Close()
	db, err := bolt.Open(filepath.Join(f.dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(undate); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var log logBuffer
	s = openLogged(t, f.dir, &log)
	defer s.Close()
	if got := exportOf(t, s); !reflect.DeepEqual(got, want) {
		t.Fatal("dated again, the file exports otherwise")
	}
	if strings.Contains(log.String(), "dated the ratings") {
		t.Fatalf("dating dated records again changed them:\n%s", log.String())
	}
}

// TestViewerHistoryMatchesAsOf: for a viewer, the records after each
// generated change of a dated older file hold the ratings and meetings a read as of the
// change's date shows.
func TestViewerHistoryMatchesAsOf(t *testing.T) {
	f := buildRatedFixture(t, testseed.Seed(t, 30))
	undateFile(t, f.dir, org.Forever)
	s := openLogged(t, f.dir, &logBuffer{})
	defer s.Close()
	svc := org.NewService(s, func() org.Date { return f.today })
	sys := org.WithPrincipal(context.Background(), org.System)
	roots, err := svc.Roots(sys, org.View{At: f.today})
	if err != nil || len(roots) != 1 {
		t.Fatal(roots, err)
	}
	viewer := org.WithPrincipal(context.Background(), &org.Principal{Subject: "v", Roles: []org.AccessRole{org.Officer}, Scope: []string{roots[0].ID}})
	checked := 0
	for q := (org.ChangeQuery{Since: demo.Reference, First: org.MaxPageSize}); ; {
		page, err := svc.Changes(viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			for _, r := range c.After {
				var got, want any
				if o := r.Org; o != nil {
					read, err := svc.Org(viewer, org.View{At: c.EffectiveOn}, o.ID)
					if org.ErrorCode(err) == org.ENotFound { // ended by the change
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					got, want = []any{o.Ratings, o.Meetings}, []any{read.Ratings, read.Meetings}
				} else {
					read, err := svc.Member(viewer, org.View{At: c.EffectiveOn}, r.Member.ID)
					if org.ErrorCode(err) == org.ENotFound { // removed by the change
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					got, want = r.Member.Ratings, read.Ratings
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if !bytes.Equal(g, w) {
					t.Fatalf("change %d (%s) after %s: %s, read as of %s: %s", c.Seq, c.Type, r.ID(), g, c.EffectiveOn, w)
				}
				checked++
			}
		}
		if !page.HasNext {
			break
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	if checked < 40 {
		t.Fatalf("%d records checked", checked)
	}
}

// TestRegradedAfterUpgrade: the tester's case. A rating of the current year
// recorded before the upgrade, and the same year graded again after it with
// an effective date before 31 December, whether before this version dated
// the first or after: the new grade stands on 31 December and after.
func TestRegradedAfterUpgrade(t *testing.T) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	d := org.DateFrom
	today := d(2026, 12, 7)
	for _, regradeFirst := range []bool{false, true} {
		t.Run(fmt.Sprint("regraded before dating: ", regradeFirst), func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir, smallTree())
			svc := org.NewService(s, func() org.Date { return today })
			rate := func(g org.Grade, on org.Date) {
				t.Helper()
				meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-QĐ/ĐU", on), Date: on, IssuerID: "C"}, EffectiveOn: on}
				if _, err := svc.RecordRating(ctx, org.Rating{OrgID: "X", Year: 2026, Grade: g}, meta); err != nil {
					t.Fatal(err)
				}
			}
			rate(org.Good, d(2026, 6, 1))
			upgrade := d(2026, 7, 1)
			if regradeFirst { // by the version that dated new facts, not old ones
				rate(org.Excellent, d(2026, 9, 1))
			}
			s.Close()
			undateFile(t, dir, upgrade)
			s = openLogged(t, dir, &logBuffer{})
			t.Cleanup(func() { s.Close() })
			svc = org.NewService(s, func() org.Date { return today })
			if !regradeFirst {
				rate(org.Excellent, d(2026, 9, 1))
			}
			for _, c := range []struct {
				on   org.Date
				want []org.YearRating
			}{
				{d(2026, 5, 31), nil},
				{d(2026, 6, 1), []org.YearRating{{Year: 2026, Grade: org.Good, On: d(2026, 6, 1)}}},
				{d(2026, 12, 31), []org.YearRating{{Year: 2026, Grade: org.Excellent, On: d(2026, 9, 1)}}},
				{d(2027, 1, 5), []org.YearRating{{Year: 2026, Grade: org.Excellent, On: d(2026, 9, 1)}}},
			} {
				o, err := svc.Org(ctx, org.View{At: c.on}, "X")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(o.Ratings, c.want) {
					t.Errorf("on %s: %+v, want %+v", c.on, o.Ratings, c.want)
				}
			}
		})
	}
}

// firstLineDiff shows where two texts of lines first differ.
func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
