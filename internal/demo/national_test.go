package demo

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

// nationalScale keeps the national demo small enough for every test run: 34
// provinces of about 480 members.
const nationalScale = 0.003

func nationalBytes(t *testing.T, seed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := dataset.NewWriter(&buf)
	if _, err := dataset.Copy(w, National(context.Background(), seed, nationalScale)); err != nil || w.Flush() != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nationalData is the small national demo as read by an import, which
// checks every record against the rules every write applies.
var nationalData = sync.OnceValues(func() (*Dataset, error) {
	orgs, members, changes, err := dataset.ReadAll(context.Background(), National(context.Background(), DefaultSeed, nationalScale))
	d := &Dataset{}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, *o)
	}
	for _, m := range members {
		d.Members = append(d.Members, *m)
	}
	for _, c := range changes {
		d.Changes = append(d.Changes, *c)
	}
	return d, err
})

// TestNationalStructure: 34 provinces of 2025 with their communes and wards
// straight under them beside four province-level committees; members in id
// order about as many as the scale says; every cell with three official
// members on the last day of the history; clean NFC text; a history of the
// domain's operations.
func TestNationalStructure(t *testing.T) {
	d, err := nationalData()
	if err != nil {
		t.Fatal(err)
	}
	c := newCensusAt(d, d, End)
	roots := c.tree.Roots()
	if len(roots) != len(nationalProvinces) {
		t.Fatalf("%d provinces, want %d", len(roots), len(nationalProvinces))
	}
	want := int(NationalMembers * nationalScale)
	total := 0
	for _, p := range roots {
		id := p.ID
		total += int(p.Counts.Members())
		if !strings.HasPrefix(p.Name, "Đảng bộ tỉnh ") && !strings.HasPrefix(p.Name, "Đảng bộ thành phố ") {
			t.Errorf("province %q", p.Name)
		}
		communes, committees := 0, 0
		_ = c.tree.Walk(id, 1, func(o *org.Org, depth int) bool {
			switch {
			case depth == 0:
			case o.Kind == org.GrassrootsCommittee && (strings.HasPrefix(o.Name, "Đảng bộ xã ") || strings.HasPrefix(o.Name, "Đảng bộ phường ")):
				communes++
			case o.Kind == org.District:
				committees++
			default:
				t.Errorf("%q under %q", o.Name, p.Name)
			}
			return true
		})
		if communes < 2 || committees != 4 {
			t.Errorf("%q: %d communes and wards, %d committees", p.Name, communes, committees)
		}
	}
	// The scale's minimums (two communes, cells of four) add members to the smallest provinces.
	if total < want || total > want*3/2 {
		t.Errorf("%d members on %s, want about %d", total, End, want)
	}
	for i := range d.Orgs {
		o, ok := c.tree.Get(d.Orgs[i].ID)
		if ok && o.Kind.IsCell() && o.Counts.DirectOfficial < 3 {
			t.Errorf("%q has %d official members (R1)", o.Name, o.Counts.DirectOfficial)
		}
		for _, v := range d.Orgs[i].Versions {
			if !norm.NFC.IsNormalString(v.Name) {
				t.Errorf("name %q is not NFC", v.Name)
			}
		}
	}
	for i := range d.Members {
		m := &d.Members[i]
		if i > 0 && d.Members[i-1].ID >= m.ID {
			t.Fatalf("members out of id order at %d", i)
		}
		if !norm.NFC.IsNormalString(m.FullName) || !norm.NFC.IsNormalString(m.Personal.Address) {
			t.Errorf("member %q, %q is not NFC", m.FullName, m.Personal.Address)
		}
	}
	types := map[org.ChangeType]int{}
	for _, ch := range d.Changes {
		types[ch.Type]++
	}
	for _, ty := range []org.ChangeType{org.ChangeAdmitted, org.ChangeConfirmed, org.ChangeMemberTransferred,
		org.ChangeMemberRemoved, org.ChangeResidenceSet, org.ChangeRated} {
		if types[ty] == 0 {
			t.Errorf("no %s in the history: %v", ty, types)
		}
	}
}

func TestNationalDeterminism(t *testing.T) {
	a := nationalBytes(t, DefaultSeed)
	if b := nationalBytes(t, DefaultSeed); !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different national datasets")
	}
	if bytes.Equal(a, nationalBytes(t, DefaultSeed+1)) {
		t.Fatal("another seed gave the same national dataset")
	}
}

// BenchmarkNational generates the national demo at nationalScale×10 and reads
// every record, as an import would.
func BenchmarkNational(b *testing.B) {
	for b.Loop() {
		r := National(context.Background(), DefaultSeed, nationalScale*10)
		n := 0
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if rec.Member != nil {
				n++
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "members/s")
	}
}

// TestNationalStopsWithItsContext: an import that gives up midway (its
// context ends) gets the context's error, and nothing waits for it after.
func TestNationalStopsWithItsContext(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	r := National(ctx, DefaultSeed, nationalScale)
	for range 100 {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if _, err := r.Read(); !errors.Is(err, context.Canceled) {
		t.Fatalf("a read after the context ended: %v", err)
	}
}
