package benchmarks

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"dangbo/internal/org"
)

// BenchmarkWritesWithStreams: a durable operation (a cell of Hạ Long
// renamed by its committee) with no one following the changes, then while
// 100 viewers of the district read them live and 100 viewers of the province
// read nothing (each dropped once 256 changes wait for it). It reports the
// writer's p50 in both runs and their ratio, measured in the same run, and
// the p50 from an operation's start to its change reaching a reader.
// Target: writers do not wait for streams (ratio about 1); with
// DANGBO_TIMING=1 a ratio above 2 fails: the readers share the two
// cores with the writer (each scopes and trims every change for its viewer).
func BenchmarkWritesWithStreams(b *testing.B) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	svc := org.NewService(quangNinhStore(b), nil)
	province := find(b, svc, "tinh quang ninh")
	district := find(b, svc, "thanh pho ha long")
	nodes, err := svc.ChartNodes(ctx, svc.Now(), org.ChartQuery{RootID: district.ID, Depth: -1}, org.DefaultChartLimit)
	if err != nil {
		b.Fatal(err)
	}
	var cell org.ChartNode
	for _, n := range nodes {
		if n.Kind == org.Cell {
			cell = n
			break
		}
	}
	run, n := time.Now().UnixNano(), 0
	started := map[int64]time.Time{}
	var mu sync.Mutex
	rename := func() {
		n++
		meta := org.Meta{Decision: org.Decision{Number: fmt.Sprintf("%d-%d-QĐ/ĐU", run, n), Date: svc.Today(), IssuerID: cell.ParentID}}
		start := time.Now()
		c, err := svc.RenameOrg(ctx, cell.ID, fmt.Sprintf("%s (%d)", cell.Name, n), meta)
		if err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		started[c.Seq] = start
		mu.Unlock()
	}
	const ops = 300
	phase := func() time.Duration {
		d := make([]time.Duration, ops)
		for i := range d {
			start := time.Now()
			rename()
			d[i] = time.Since(start)
		}
		return median(d)
	}
	viewer := func(ctx context.Context, scope string, i int) context.Context {
		return org.WithPrincipal(ctx, &org.Principal{Subject: fmt.Sprintf("viewer-%d", i), Roles: []org.AccessRole{org.Viewer}, Scope: []string{scope}})
	}
	for b.Loop() {
		phase() // warm up
		without := phase()

		follow, stop := context.WithCancel(context.Background())
		var delivered []time.Duration
		var wg sync.WaitGroup
		for i := range 100 {
			if _, err := svc.Follow(viewer(follow, province.ID, i), org.ChangeQuery{}, nil); err != nil { // read by no one
				b.Fatal(err)
			}
			st, err := svc.Follow(viewer(follow, district.ID, i), org.ChangeQuery{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			wg.Go(func() {
				for c := range st.C {
					if i == 0 {
						mu.Lock()
						delivered = append(delivered, time.Since(started[c.Seq]))
						mu.Unlock()
					}
				}
			})
		}
		with := phase()
		// The last change's delivery, then the streams end.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			done := len(delivered) >= ops
			mu.Unlock()
			if done || time.Now().After(deadline) {
				break
			}
		}
		stop()
		wg.Wait()
		b.ReportMetric(float64(without.Microseconds()), "floor-p50-µs")
		b.ReportMetric(float64(with.Microseconds()), "p50-µs")
		ratio := float64(with) / float64(without)
		b.ReportMetric(ratio, "ratio")
		if len(delivered) < ops {
			b.Fatalf("%d of %d changes reached the reader", len(delivered), ops)
		}
		b.ReportMetric(float64(median(delivered).Microseconds()), "delivery-p50-µs")
		if os.Getenv("DANGBO_TIMING") == "1" && ratio > 2 {
			b.Errorf("writers took %.2f× as long while 200 streams followed", ratio)
		}
	}
}
