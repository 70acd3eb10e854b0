package benchmarks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dangbo/internal/org"
)

// BenchmarkStoreReadsWhileWriting is the embedded store's part of issue 17's
// mixed load, without HTTP, GraphQL or the heavy lane: eight goroutines read
// (a district's chart of depth 2 and the residence links among its cells, a
// page of its children, a search) alone, then beside one writer setting
// residence links as fast as the store takes them, durably, in alternating
// windows. It reports the reads a second beside the writer as a ratio to the
// reads alone, the median of three pairs, and the write p50.
func BenchmarkStoreReadsWhileWriting(b *testing.B) {
	ctx := org.WithPrincipal(context.Background(), org.System)
	s := quangNinhStore(b)
	svc := org.NewService(s, nil)
	district := find(b, svc, "thanh pho ha long").ID
	view := svc.Now()
	rw := newResidenceWrites(b, svc, []string{district})
	reads := []func() error{
		func() error {
			nodes, err := s.ChartNodes(ctx, view, org.ChartQuery{RootID: district, Depth: 2}, org.DefaultChartLimit)
			if err != nil {
				return err
			}
			cells := make([]string, len(nodes))
			for i, n := range nodes {
				cells[i] = n.ID
			}
			_, err = s.ResidenceLinks(ctx, view, cells)
			return err
		},
		func() error {
			_, err := s.Children(ctx, view, district, org.PageQuery{First: 20}, nil)
			return err
		},
		func() error {
			_, err := s.Search(ctx, view, org.SearchQuery{Text: "nguyen van", First: 20})
			return err
		},
	}
	write := func() error {
		n, w, village := rw.next()
		_, err := svc.SetResidence(ctx, w.id, village, org.Meta{Decision: org.Decision{
			Number: fmt.Sprintf("%d-QĐ/BS", n), Date: view.At, IssuerID: w.issuer}})
		return err
	}
	// window reads for d, with the writer if writing, and returns the reads
	// a second and the writes' latencies.
	window := func(d time.Duration, writing bool) (float64, []time.Duration) {
		var done atomic.Int64
		var wg sync.WaitGroup
		var lat []time.Duration
		stop := time.Now().Add(d)
		for r := range 8 {
			wg.Go(func() {
				for i := r; time.Now().Before(stop); i++ {
					if err := reads[i%len(reads)](); err != nil {
						b.Error(err)
						return
					}
					done.Add(1)
				}
			})
		}
		if writing {
			wg.Go(func() {
				for time.Now().Before(stop) {
					start := time.Now()
					if err := write(); err != nil {
						b.Error(err)
						return
					}
					lat = append(lat, time.Since(start))
				}
			})
		}
		wg.Wait()
		return float64(done.Load()) / d.Seconds(), lat
	}
	window(500*time.Millisecond, true) // warm up: trees, links, the file's pages
	var alone, ratios []float64
	var lat []time.Duration
	for range 3 {
		a, _ := window(2*time.Second, false)
		w, l := window(2*time.Second, true)
		alone, ratios, lat = append(alone, a), append(ratios, w/a), append(lat, l...)
	}
	slices.Sort(alone)
	slices.Sort(ratios)
	slices.SortFunc(lat, cmp.Compare)
	b.ReportMetric(alone[1], "reads/s-alone")
	b.ReportMetric(ratios[1], "reads-ratio-beside-writer")
	b.ReportMetric(float64(len(lat))/6, "writes/s")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "write-p50-µs")
	}
}
