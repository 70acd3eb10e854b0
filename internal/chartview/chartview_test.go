package chartview_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"dangbo/internal/chartview"
	"dangbo/web"
)

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

var (
	scriptRef   = regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)
	styleRef    = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	settingsRef = regexp.MustCompile(`(?s)<script id="page-settings" type="application/json">(.*?)</script>`)
)

func TestPageAndAssets(t *testing.T) {
	h := chartview.New(chartview.Options{Endpoint: "/api/graphql"})
	for _, target := range []string{"/chart", "/chart/"} {
		res, page := get(t, h, http.MethodGet, target)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s = %d %s", target, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
			t.Errorf("GET %s: CSP = %q", target, got)
		}
		if !strings.Contains(page, `<html lang="vi">`) || !strings.Contains(page, "Sơ đồ tổ chức") {
			t.Errorf("GET %s: not the Vietnamese chart page:\n%s", target, page)
		}
		settings := settingsRef.FindStringSubmatch(page)
		if settings == nil {
			t.Fatalf("GET %s: no settings block", target)
		}
		var decoded struct{ Endpoint string }
		if err := json.Unmarshal([]byte(settings[1]), &decoded); err != nil || decoded.Endpoint != "/api/graphql" {
			t.Errorf("GET %s: settings %s: %+v %v", target, settings[1], decoded, err)
		}

		for _, ref := range []struct {
			re          *regexp.Regexp
			contentType string
		}{{scriptRef, "text/javascript; charset=utf-8"}, {styleRef, "text/css; charset=utf-8"}} {
			m := ref.re.FindStringSubmatch(page)
			// Absolute, so that the page finds its assets from /chart and /chart/ alike.
			if m == nil || !strings.HasPrefix(m[1], chartview.AssetPath) {
				t.Fatalf("GET %s: the page does not load an asset under %s matching %s", target, chartview.AssetPath, ref.re)
			}
			res, _ := get(t, h, http.MethodGet, m[1])
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ref.contentType {
				t.Errorf("GET %s = %d %s", m[1], res.StatusCode, res.Header.Get("Content-Type"))
			}
			if res.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
				t.Errorf("GET %s: CSP = %q", m[1], res.Header.Get("Content-Security-Policy"))
			}
			if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("GET %s: Cache-Control = %q", m[1], res.Header.Get("Cache-Control"))
			}
		}
	}
}

func TestEveryBuiltFileIsServed(t *testing.T) {
	h := chartview.New(chartview.Options{})
	entries, err := os.ReadDir("dist")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		want := http.StatusOK
		if e.Name() == "manifest.json" {
			want = http.StatusNotFound
		}
		if res, _ := get(t, h, http.MethodGet, chartview.AssetPath+e.Name()); res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", e.Name(), res.StatusCode, want)
		}
	}
}

func TestOnlyThePageAndItsAssets(t *testing.T) {
	h := chartview.New(chartview.Options{})
	for _, c := range []struct {
		method, target string
		want           int
	}{
		{http.MethodHead, "/chart", http.StatusOK},
		{http.MethodPost, "/chart", http.StatusMethodNotAllowed},
		{http.MethodGet, "/chart/index.html", http.StatusNotFound},
		{http.MethodGet, chartview.AssetPath + "nope.js", http.StatusNotFound},
		{http.MethodGet, chartview.AssetPath, http.StatusNotFound},
	} {
		if res, _ := get(t, h, c.method, c.target); res.StatusCode != c.want {
			t.Errorf("%s %s = %d, want %d", c.method, c.target, res.StatusCode, c.want)
		}
	}
}
