package playground_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"dangbo/internal/playground"
	"dangbo/web"
)

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	scriptRef   = regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)
	styleRef    = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	settingsRef = regexp.MustCompile(`(?s)<script id="page-settings" type="application/json">(.*?)</script>`)
)

func TestPageLoadsAssetsFromTheBinary(t *testing.T) {
	h := playground.New(playground.Options{
		Title:    "Thử <GraphQL>",
		Endpoint: "/api/graphql",
		Examples: []playground.Example{{Name: "Tỉnh", Query: "{ roots { name } } # </script><script>alert(1)", Variables: `{"id": "qn"}`}},
	})
	res := get(t, h, http.MethodGet, "/", nil)
	page := body(t, res)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
		t.Errorf("CSP = %q", got)
	}
	if !strings.Contains(page, "<title>Thử &lt;GraphQL&gt;</title>") {
		t.Error("the title is missing or unescaped")
	}

	settings := settingsRef.FindStringSubmatch(page)
	if settings == nil {
		t.Fatal("no settings block in the page")
	}
	if strings.Contains(settings[1], "</script") {
		t.Error("a query can close the settings block")
	}
	var decoded struct {
		Endpoint string
		Examples []playground.Example
	}
	if err := json.Unmarshal([]byte(settings[1]), &decoded); err != nil {
		t.Fatalf("settings: %v", err)
	}
	if decoded.Endpoint != "/api/graphql" || len(decoded.Examples) != 1 || decoded.Examples[0].Variables != `{"id": "qn"}` {
		t.Errorf("settings = %+v", decoded)
	}

	for _, ref := range []struct {
		re          *regexp.Regexp
		contentType string
	}{{scriptRef, "text/javascript; charset=utf-8"}, {styleRef, "text/css; charset=utf-8"}} {
		m := ref.re.FindStringSubmatch(page)
		if m == nil || strings.Contains(m[1], "//") {
			t.Fatalf("page does not load a local asset matching %s", ref.re)
		}
		res := get(t, h, http.MethodGet, "/"+m[1], nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ref.contentType {
			t.Errorf("GET %s = %d %s", m[1], res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Cache-Control = %q", m[1], res.Header.Get("Cache-Control"))
		}
		if res.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
			t.Errorf("%s: no CSP; workers take theirs from their script's response", m[1])
		}
	}
}

func TestEveryBuiltFileIsServed(t *testing.T) {
	h := playground.New(playground.Options{})
	entries, err := os.ReadDir("dist")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		want := http.StatusOK
		if e.Name() == "manifest.json" {
			want = http.StatusNotFound
		}
		if res := get(t, h, http.MethodGet, playground.AssetPath+e.Name(), nil); res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", e.Name(), res.StatusCode, want)
		}
	}
}

func TestRevalidationAndCompression(t *testing.T) {
	h := playground.New(playground.Options{})
	page := get(t, h, http.MethodGet, "/", nil)
	if page.Header.Get("Cache-Control") != "no-cache" || page.Header.Get("ETag") == "" {
		t.Errorf("page caching: %q, ETag %q", page.Header.Get("Cache-Control"), page.Header.Get("ETag"))
	}
	if res := get(t, h, http.MethodGet, "/", http.Header{"If-None-Match": {page.Header.Get("ETag")}}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidated page = %d", res.StatusCode)
	}

	script := "/" + scriptRef.FindStringSubmatch(body(t, page))[1] // the page is at "/"
	plain := get(t, h, http.MethodGet, script, nil)
	zipped := get(t, h, http.MethodGet, script, http.Header{"Accept-Encoding": {"br, gzip"}})
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Fatalf("gzip: Content-Encoding %q, ETags %q and %q", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("ETag"), plain.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, []byte(body(t, plain))) {
		t.Error("the gzipped script differs from the plain one")
	}
	if res := get(t, h, http.MethodGet, script, http.Header{"Accept-Encoding": {"gzip;q=0"}}); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}
}

func TestOnlyThePageAndItsAssets(t *testing.T) {
	h := playground.New(playground.Options{})
	for _, c := range []struct {
		method, target string
		want           int
	}{
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/index.html", http.StatusNotFound},
		{http.MethodGet, playground.AssetPath + "nope.js", http.StatusNotFound},
		{http.MethodGet, playground.AssetPath, http.StatusNotFound},
	} {
		if res := get(t, h, c.method, c.target, nil); res.StatusCode != c.want {
			t.Errorf("%s %s = %d, want %d", c.method, c.target, res.StatusCode, c.want)
		}
	}
}
