package memory

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// Breakdowns read while members are written: a reader adds up the tallies it
// was handed while a write replaces them (run with -race), and when the
// writes are done the breakdown counts every member.
func TestTalliesWhileWriting(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := s.Import(ctx, demo.VinhPhuc().Reader()); err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(s, func() org.Date { return demo.Reference })
	v := org.View{At: demo.Reference}
	roots, err := svc.Roots(ctx, v)
	if err != nil || len(roots) != 1 {
		t.Fatal(roots, err)
	}
	province := roots[0]
	cells, err := svc.ChartNodes(ctx, v, org.ChartQuery{RootID: province.ID, Depth: -1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	cell := cells[len(cells)-1].ID
	const writes = 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := svc.Breakdown(ctx, v, province.ID, org.BreakdownEthnicity, 0); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for i := range writes {
		_, err := svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: fmt.Sprintf("Trần Văn Mới %d", i),
			Status: org.Official, AdmittedOn: org.DateFrom(2005, 1, 1), Personal: org.Personal{Ethnicity: "Sán Dìu"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	rows, err := svc.Breakdown(ctx, v, province.ID, org.BreakdownEthnicity, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		n += r.Count
	}
	if want := int(province.Counts.Members()) + writes; n != want {
		t.Errorf("the breakdown counts %d members, want %d", n, want)
	}
}
