package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// failingWrites is a store whose writes fail for a full disk since a time.
type failingWrites struct {
	org.Store
	since time.Time
}

func (f failingWrites) WriteFailure() (time.Time, error) {
	return f.since, org.Errorf(org.EUnavailable, "Kho dữ liệu tạm thời không ghi được (đĩa đầy hoặc lỗi thiết bị).")
}

// TestReadyzTellsFailingWrites: while the store's writes fail and its reads
// are served, /readyz stays ready (the only instance keeps serving reads)
// and says since when writes fail and why, and the metric
// dangbo_store_writes_failing is 1; with writes working, it is 0.
func TestReadyzTellsFailingWrites(t *testing.T) {
	since := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	for _, fail := range []bool{false, true} {
		store, err := memory.Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		var s org.Store = store
		if fail {
			s = failingWrites{store, since}
		}
		m := NewMetrics()
		srv := httptest.NewServer(NewHandler(Config{Store: s, Service: org.NewService(s, nil), Metrics: m}))
		t.Cleanup(srv.Close)
		admin := httptest.NewServer(AdminHandler(m))
		t.Cleanup(admin.Close)
		status, body := get(t, srv.URL+"/readyz")
		_, metrics := get(t, admin.URL+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("writes failing %v: /readyz status %d", fail, status)
		}
		gauge := "dangbo_store_writes_failing 0"
		if fail {
			gauge = "dangbo_store_writes_failing 1"
			if !strings.Contains(body, "the store cannot write since 2026-12-07T22:00:00Z") || !strings.Contains(body, "đĩa đầy") {
				t.Errorf("/readyz = %q", body)
			}
		} else if body != "ready\n" {
			t.Errorf("/readyz = %q", body)
		}
		if !strings.Contains(metrics, gauge) {
			t.Errorf("/metrics lacks %s:\n%s", gauge, grepLines(metrics, "dangbo_store"))
		}
	}
}
