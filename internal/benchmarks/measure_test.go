package benchmarks

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// latencies runs op b.N times and reports its median and 90th percentile,
// which say more than the mean when a GC pause lands on a few runs.
func latencies(b *testing.B, op func()) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		op()
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*9/10].Microseconds()), "p90-µs")
}

// graphqlBody is the JSON body of a GraphQL request.
func graphqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// serveOnce answers one request in-process, without a network, and fails on
// a GraphQL error.
func serveOnce(b *testing.B, h http.Handler, body []byte) []byte {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(b.Context())
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}

// loadResult is what a load run measured.
type loadResult struct {
	perSecond float64
	// perCPUSecond is requests per second of CPU the process used, clients
	// included: unlike perSecond, blind to time the machine's other tenants
	// took from it.
	perCPUSecond float64
	errors       int64
	p50          time.Duration
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// target is what a load run sends to: a URL, and the bearer token it sends
// (none when empty).
type target struct{ url, token string }

// load sends body to t from clients concurrent connections for d, the way
// hey does, and measures throughput and median latency. A response that is
// not 200 or that carries GraphQL errors counts as an error.
func load(t target, body []byte, clients int, d time.Duration) loadResult {
	r, _ := loadMix(t, clients, d, func(int, int) request { return request{body: body} })
	return r
}

// request is one request of a load: its body, the kind its latency is
// reported under, and how long its client waits before the next.
type request struct {
	body  []byte
	kind  int
	pause time.Duration
}

// loadMix is load with each client's i-th request chosen by next; it also
// returns the latencies by kind.
func loadMix(t target, clients int, d time.Duration, next func(client, i int) request) (loadResult, map[int][]time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var done, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	byKind := map[int][]time.Duration{}
	cpu := cpuTime()
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var mine []time.Duration
			kinds := map[int][]time.Duration{}
			for i := 0; time.Now().Before(stop); i++ {
				rq := next(c, i)
				start := time.Now()
				req, _ := http.NewRequest(http.MethodPost, t.url, bytes.NewReader(rq.body))
				req.Header.Set("Content-Type", "application/json")
				if t.token != "" {
					req.Header.Set("Authorization", "Bearer "+t.token)
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
					failed.Add(1)
				}
				took := time.Since(start)
				mine = append(mine, took)
				kinds[rq.kind] = append(kinds[rq.kind], took)
				done.Add(1)
				time.Sleep(rq.pause)
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, ds := range kinds {
				byKind[k] = append(byKind[k], ds...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	cpu = cpuTime() - cpu
	slices.Sort(lat)
	r := loadResult{perSecond: float64(done.Load()) / d.Seconds(), errors: failed.Load()}
	if cpu > 0 {
		r.perCPUSecond = float64(done.Load()) / cpu.Seconds()
	}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
	}
	return r, byKind
}

// compareLoad measures the real server against the static floor.
func compareLoad(b *testing.B, floorURL, realURL string, body []byte) {
	b.Helper()
	compare(b, target{floorURL, ""}, target{realURL, ""}, body, "floor-req/s", "req/s")
}

// compare alternates load runs on base and other, five of each, and reports
// the medians and their ratio: alternating spreads the machine's noise over
// both sides.
func compare(b *testing.B, base, other target, body []byte, baseName, otherName string) {
	b.Helper()
	const clients, rounds = 32, 5
	per := 2 * time.Second
	load(base, body, clients, 300*time.Millisecond) // warm both up
	load(other, body, clients, 300*time.Millisecond)
	var baseRates, otherRates, cpuRatios []float64
	var otherP50 []time.Duration
	var errors int64
	for range rounds {
		f := load(base, body, clients, per)
		r := load(other, body, clients, per)
		baseRates, otherRates = append(baseRates, f.perSecond), append(otherRates, r.perSecond)
		cpuRatios = append(cpuRatios, r.perCPUSecond/f.perCPUSecond)
		otherP50 = append(otherP50, r.p50)
		errors += f.errors + r.errors
	}
	slices.Sort(baseRates)
	slices.Sort(otherRates)
	slices.Sort(cpuRatios)
	slices.Sort(otherP50)
	b.ReportMetric(baseRates[rounds/2], baseName)
	b.ReportMetric(otherRates[rounds/2], otherName)
	b.ReportMetric(otherRates[rounds/2]/baseRates[rounds/2], "ratio")
	// The same ratio per second of CPU: what the ratio would be on a machine
	// of its own, where both sides use every core.
	b.ReportMetric(cpuRatios[rounds/2], "cpu-ratio")
	b.ReportMetric(float64(otherP50[rounds/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(errors), "errors")
	if errors > 0 {
		b.Errorf("%d requests failed", errors)
	}
}

// compareLatency alternates single-client runs on base and other, three of
// each, and reports their median latencies and the ratio other/base: for
// large answers, where what matters is how long one client waits.
func compareLatency(b *testing.B, base, other target, body []byte) {
	b.Helper()
	compareRuns(b, func(d time.Duration) loadResult { return load(base, body, 1, d) },
		func(d time.Duration) loadResult { return load(other, body, 1, d) })
}

// compareRuns is compareLatency for any two single-client runs.
func compareRuns(b *testing.B, base, other func(time.Duration) loadResult) {
	b.Helper()
	const rounds = 3
	per := 3 * time.Second
	base(300 * time.Millisecond)
	other(300 * time.Millisecond)
	var baseP50, otherP50 []time.Duration
	var errors int64
	for range rounds {
		f := base(per)
		r := other(per)
		baseP50, otherP50 = append(baseP50, f.p50), append(otherP50, r.p50)
		errors += f.errors + r.errors
	}
	slices.Sort(baseP50)
	slices.Sort(otherP50)
	b.ReportMetric(float64(baseP50[rounds/2].Microseconds()), "floor-p50-µs")
	b.ReportMetric(float64(otherP50[rounds/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(otherP50[rounds/2])/float64(baseP50[rounds/2]), "ratio")
	b.ReportMetric(float64(errors), "errors")
	if errors > 0 {
		b.Errorf("%d requests failed", errors)
	}
}

// median of d, which it sorts.
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
