// Package web serves the browser pages that web/pagebuild.mjs builds: the
// hashed scripts, stylesheets and workers of one build, and the HTML document
// that loads them. Everything comes from the binary and the page may reach
// nothing but its own origin, so it works on networks without internet.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentSecurityPolicy allows the page nothing from other origins. Styles
// may be inline because the code editor (Monaco) creates style elements;
// fonts and images may be data: URLs because the build inlines them.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Assets is the output directory of one page build.
type Assets struct {
	script, style string
	files         map[string]*asset
}

type asset struct {
	body        []byte
	contentType string
	gzipped     func() []byte
}

// LoadAssets reads a build's output: manifest.json names the page's script
// and stylesheet; every other file is a chunk or worker they load.
func LoadAssets(dist fs.FS) (*Assets, error) {
	raw, err := fs.ReadFile(dist, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("web: %w (was the page built?)", err)
	}
	var manifest struct{ Script, Style string }
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("web: manifest.json: %w", err)
	}
	a := &Assets{script: manifest.Script, style: manifest.Style, files: map[string]*asset{}}
	entries, err := fs.ReadDir(dist, ".")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for _, e := range entries {
		contentType, ok := contentTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			continue
		}
		body, err := fs.ReadFile(dist, e.Name())
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		a.files[e.Name()] = &asset{body: body, contentType: contentType, gzipped: sync.OnceValue(func() []byte { return gzipBytes(body) })}
	}
	for _, name := range []string{a.script, a.style} {
		if a.files[name] == nil {
			return nil, fmt.Errorf("web: manifest.json names %q, which the build does not hold", name)
		}
	}
	return a, nil
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// MustLoadAssets is LoadAssets of the directory dir of an embedded build,
// for a package variable: a build that does not load is a broken binary.
func MustLoadAssets(embedded fs.FS, dir string) *Assets {
	sub, err := fs.Sub(embedded, dir)
	if err == nil {
		var a *Assets
		if a, err = LoadAssets(sub); err == nil {
			return a
		}
	}
	panic("web: embedded assets: " + err.Error())
}

// CheckEndpoint fails unless endpoint is an absolute path on the page's own
// origin: the only place a page may send requests to.
func CheckEndpoint(endpoint string) error {
	if u, err := url.Parse(endpoint); err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		return fmt.Errorf("web: the endpoint must be an absolute path on the same origin, not %q", endpoint)
	}
	return nil
}

// ServeHTTP serves the file that the request path names (mount it behind
// http.StripPrefix). File names carry a content hash, so clients keep them
// for good.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	f := a.files[name]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	setSecurityHeaders(h)
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Add("Vary", "Accept-Encoding")
	body, etag := f.body, `"`+name+`"`
	if acceptsGzip(r) {
		body, etag = f.gzipped(), `"`+name+`+gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// Page describes the HTML document that loads a build.
type Page struct {
	Title string
	Lang  string
	// Loading is shown until the script renders the page.
	Loading string
	// AssetURL is where the assets are served, relative to the page's URL,
	// e.g. "playground/assets/" for a page at "/".
	AssetURL string
	// Settings reach the page's script as JSON in the element #page-settings.
	Settings any
}

//go:embed page.html.tmpl
var pageTemplateText string

var pageTemplate = template.Must(template.New("page").Parse(pageTemplateText))

// Page renders the document once; it is revalidated by ETag since it is
// small and changes whenever the binary or the settings do.
func (a *Assets) Page(p Page) (http.Handler, error) {
	settings, err := json.Marshal(p.Settings) // escapes <, > and & for use inside <script>
	if err != nil {
		return nil, fmt.Errorf("web: page settings: %w", err)
	}
	var doc bytes.Buffer
	err = pageTemplate.Execute(&doc, map[string]any{
		"Page":     p,
		"Script":   p.AssetURL + a.script,
		"Style":    p.AssetURL + a.style,
		"Settings": template.JS(settings),
	})
	if err != nil {
		return nil, fmt.Errorf("web: page: %w", err)
	}
	sum := sha256.Sum256(doc.Bytes())
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	body := doc.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		setSecurityHeaders(h)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}), nil
}

// setSecurityHeaders goes on every response, assets too: a worker script's
// own response sets the policy that the worker runs under.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

func acceptsGzip(r *http.Request) bool {
	for _, coding := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(coding, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, weighted := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !weighted {
			return true
		}
		weight, err := strconv.ParseFloat(q, 64)
		return err == nil && weight > 0
	}
	return false
}

// gzipBytes runs on a file's first compressed request, so that starting the
// binary costs nothing for pages nobody opens.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}
