package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadAssetsNeedsAConsistentManifest(t *testing.T) {
	for name, dist := range map[string]fstest.MapFS{
		"no manifest":   {"a.js": {Data: []byte("x")}},
		"bad manifest":  {"manifest.json": {Data: []byte("{")}},
		"missing style": {"manifest.json": {Data: []byte(`{"script":"a.js","style":"a.css"}`)}, "a.js": {Data: []byte("x")}},
	} {
		if _, err := LoadAssets(dist); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestPageSettingsCannotEscapeTheirScript(t *testing.T) {
	assets, err := LoadAssets(fstest.MapFS{
		"manifest.json": {Data: []byte(`{"script":"p-1.js","style":"p-1.css"}`)},
		"p-1.js":        {Data: []byte("x")},
		"p-1.css":       {Data: []byte("x")},
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := assets.Page(Page{Title: "t", AssetURL: "a/", Settings: map[string]string{"q": "</script><script>alert(1)</script>"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	doc := rec.Body.String()
	if strings.Count(doc, "</script>") != 2 || strings.Contains(doc, "alert(1)</script>") {
		t.Errorf("settings broke out of their element:\n%s", doc)
	}
	for _, ref := range []string{`src="a/p-1.js"`, `href="a/p-1.css"`} {
		if !strings.Contains(doc, ref) {
			t.Errorf("page lacks %s", ref)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                   false,
		"gzip":               true,
		"br, gzip;q=0.5":     true,
		"GZIP":               true,
		"gzip;q=0":           false,
		"gzip; q=0.000, br":  false,
		"deflate, x-gzip":    false,
		"identity, gzip;q=1": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, endpoint := range []string{"/graphql", "/api/graphql?x=1"} {
		if err := CheckEndpoint(endpoint); err != nil {
			t.Errorf("%q refused: %v", endpoint, err)
		}
	}
	for _, endpoint := range []string{"http://example.org/graphql", "//example.org/graphql", "graphql", ""} {
		if CheckEndpoint(endpoint) == nil {
			t.Errorf("%q accepted", endpoint)
		}
	}
}
