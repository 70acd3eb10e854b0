package storetest

import (
	"sync"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// konTum is the demo's Kon Tum province with its history (as the source articles report it).
var konTum = sync.OnceValue(func() *demo.Dataset {
	return demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Kon Tum")
})

// testKonTumHistory: the demo's history of Kon Tum, imported, answers the
// figures the articles give, as of both ends of the period and in summary.
func testKonTumHistory(t *testing.T, f *fixture) {
	if _, err := f.s.Import(f.ctx, konTum().Clone().Reader()); err != nil {
		t.Fatal(err)
	}
	start, end := on(2016, 8, 8), on(2021, 10, 25)
	province := f.orgNamed(org.View{At: end}, "Đảng bộ tỉnh Kon Tum")
	sum, err := f.svc.ChangeCounts(f.ctx, org.ChangeQuery{Within: province.ID, Since: start, Until: end + 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum[org.ChangeEstablished] != 232 || sum[org.ChangeDissolved] != 225 || sum[org.ChangeMerged] != 198 || sum[org.ChangeAdmitted] != 6225 {
		t.Fatalf("summary = %v", sum)
	}
	homes := func(d org.Date) int32 {
		o, err := f.s.Org(f.ctx, org.View{At: d}, province.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Counts.ByKind[org.District] != 10 {
			t.Fatalf("%s: %d district-level committees", d, o.Counts.ByKind[org.District])
		}
		return o.Counts.CellsBySector[org.SectorVillage] + o.Counts.CellsBySector[org.SectorResidentialGroup]
	}
	if a, b := homes(start), homes(end); a != 874 || b != 756 {
		t.Fatalf("villages and residential groups: %d on %s, %d on %s", a, start, b, end)
	}
	if o, _ := f.s.Org(f.ctx, org.View{At: end}, province.ID); o.Counts.ByKind[org.Cell] != 2276 {
		t.Fatalf("cells on %s = %+v", end, o.Counts.ByKind)
	}
	// Every merger lists its target first; the sources have ended by then.
	page, err := f.svc.Changes(f.ctx, org.ChangeQuery{Within: province.ID, Types: []org.ChangeType{org.ChangeMerged}, First: 20})
	if err != nil || len(page.Changes) != 20 || !page.HasNext {
		t.Fatalf("mergers = %d, %v", len(page.Changes), err)
	}
	for _, c := range page.Changes {
		if _, err := f.s.Org(f.ctx, org.View{At: c.EffectiveOn}, c.Subjects[0]); err != nil {
			t.Fatalf("merger %d: target %s on %s: %v", c.Seq, c.Subjects[0], c.EffectiveOn, err)
		}
		for _, src := range c.Subjects[1:] {
			if _, err := f.s.Org(f.ctx, org.View{At: c.EffectiveOn}, src); org.ErrorCode(err) != org.ENotFound {
				t.Fatalf("merger %d: source %s still there on %s", c.Seq, src, c.EffectiveOn)
			}
		}
	}
}
