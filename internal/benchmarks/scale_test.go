package benchmarks

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkScaleReadsHTTP compares the reads users make most on two running
// services (`dangbo serve --dev --rate 0`): DANGBO_BENCH_BASE, the provincial
// demo, and DANGBO_BENCH_SCALED, the national demo at some scale (each the
// URL of its /graphql). Both hold "Đảng bộ tỉnh Quảng Ninh", of about the same
// size, so each query asks the same of both but over more data: statistics
// and children(first: 50, and 20: all the provincial one has) of that
// province, search, and the province's compact chart. Four clients on loopback, 2 s per query and service,
// alternately, three rounds; the median p50 of each and its ratio
// scaled/base are reported. Skipped unless both variables are set.
func BenchmarkScaleReadsHTTP(b *testing.B) {
	base, scaled := os.Getenv("DANGBO_BENCH_BASE"), os.Getenv("DANGBO_BENCH_SCALED")
	if base == "" || scaled == "" {
		b.Skip("set DANGBO_BENCH_BASE and DANGBO_BENCH_SCALED to the /graphql URLs of two running services")
	}
	queries := []struct {
		name  string
		query string
		vars  func(province string) map[string]any
	}{
		{"statistics", statisticsQuery, func(p string) map[string]any { return map[string]any{"id": p} }},
		{"children", childrenQuery, func(p string) map[string]any { return map[string]any{"id": p} }},
		// The national Quảng Ninh has 56 children, the provincial one 20: the
		// first 20 compare the same answer over more data.
		{"children20", strings.Replace(childrenQuery, "first: 50", "first: 20", 1), func(p string) map[string]any { return map[string]any{"id": p} }},
		{"search", searchQuery, func(string) map[string]any { return map[string]any{"text": searchTexts[0]} }},
		{"chart", chartColumnsQuery, func(p string) map[string]any { return map[string]any{"id": p} }},
	}
	provinces := map[string]string{base: quangNinh(b, base), scaled: quangNinh(b, scaled)}
	for b.Loop() {
		for _, q := range queries {
			p50 := map[string][]time.Duration{}
			for range 3 {
				for _, url := range []string{base, scaled} {
					r := load(target{url, ""}, graphqlBody(q.query, q.vars(provinces[url])), 4, 2*time.Second)
					if r.errors > 0 {
						b.Fatalf("%s on %s: %d errors", q.name, url, r.errors)
					}
					p50[url] = append(p50[url], r.p50)
				}
			}
			median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
			mb, ms := median(p50[base]), median(p50[scaled])
			b.ReportMetric(float64(mb.Microseconds()), q.name+"-base-p50-µs")
			b.ReportMetric(float64(ms.Microseconds()), q.name+"-scaled-p50-µs")
			b.ReportMetric(float64(ms)/float64(mb), q.name+"-ratio")
		}
	}
}

// quangNinh is the id of the root named "Đảng bộ tỉnh Quảng Ninh" on the service at url.
func quangNinh(b *testing.B, url string) string {
	resp, err := http.Post(url, "application/json", bytes.NewReader(graphqlBody(`{ roots { id name } }`, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ Roots []struct{ ID, Name string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		b.Fatal(err)
	}
	for _, r := range out.Data.Roots {
		if r.Name == "Đảng bộ tỉnh Quảng Ninh" {
			return r.ID
		}
	}
	b.Fatalf("no Quảng Ninh on %s", url)
	return ""
}
