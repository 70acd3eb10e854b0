package benchmarks

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"dangbo/internal/server"
)

// BenchmarkExportMembers: Quảng Ninh's 104k members exported, in-process,
// as XLSX and as CSV, with the growth of the memory the Go runtime holds
// from the OS (RSS less what it returned) at its peak over the export.
// Target (issue 18): XLSX ≤ 10 s, peak growth ≤ 200 MB; BENCHMARKS.md
// records the binary's RSS too. The CSV run is the
// floor the XLSX one is a ratio to: the same selection and reads, the
// cheapest file.
func BenchmarkExportMembers(b *testing.B) {
	store, svc := loadDemo(b)
	h := handler(b, server.Config{Store: store, Service: svc, RequestTimeout: time.Minute})
	id := find(b, svc, "tinh quang ninh").ID
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			var peak uint64
			cpu := cpuTime()
			for b.Loop() {
				peak = max(peak, exportPeak(b, h, "/export/members."+format+"?org="+id))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			// The machine is shared: CPU time says what the export costs
			// when wall time also counts the other tenants' turns.
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// exportPeak serves one export to a writer that discards it, and returns
// how far the runtime's memory grew over its start at the peak, sampled
// every few milliseconds.
func exportPeak(b *testing.B, h http.Handler, path string) uint64 {
	runtime.GC()
	base := heldMemory()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		for t := time.NewTicker(5 * time.Millisecond); ; {
			select {
			case <-done:
				t.Stop()
				return
			case <-t.C:
				if m := heldMemory(); m > base && m-base > peak.Load() {
					peak.Store(m - base)
				}
			}
		}
	}()
	w := &discard{header: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil).WithContext(b.Context()))
	close(done)
	if w.status != 0 && w.status != http.StatusOK || w.n < 1<<20 {
		b.Fatalf("%s: status %d, %d bytes", path, w.status, w.n)
	}
	if os.Getenv("DANGBO_BENCH_VERBOSE") != "" {
		b.Logf("%s: %d bytes", path, w.n)
	}
	return peak.Load()
}

// heldMemory is what the Go runtime holds from the OS and has not returned:
// the process's resident memory as far as Go makes it.
func heldMemory() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// discard is a ResponseWriter that counts what it is sent.
type discard struct {
	header http.Header
	status int
	n      int64
}

func (d *discard) Header() http.Header { return d.header }
func (d *discard) WriteHeader(s int)   { d.status = s }
func (d *discard) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	return len(p), nil
}
