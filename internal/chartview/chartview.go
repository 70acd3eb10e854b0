// Package chartview serves the org chart viewer at /chart from the binary
// itself, so that it works on networks without internet access. The page is
// built from the npm d3-org-chart package by web/chart (see its build.mjs)
// into dist/, which is committed and embedded.
package chartview

import (
	"embed"
	"net/http"

	"dangbo/web"
)

const (
	// PagePath is where the handler serves the page, with and without a
	// trailing slash.
	PagePath = "/chart"
	// AssetPath is where it serves the page's script and stylesheet.
	AssetPath = "/chart/assets/"
)

// Options configures the viewer.
type Options struct {
	// Endpoint is the GraphQL URL path on the same origin, e.g. "/graphql"
	// (the default). The page may reach no other origin.
	Endpoint string
}

//go:embed dist
var dist embed.FS

var assets = web.MustLoadAssets(dist, "dist")

// New returns a handler for PagePath, PagePath+"/" and AssetPath; mount it
// at "/chart" and "/chart/". It panics if Endpoint is not a path on the
// page's own origin.
func New(opts Options) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	if err := web.CheckEndpoint(opts.Endpoint); err != nil {
		panic(err)
	}
	page, err := assets.Page(web.Page{
		Title:   "dangbo · Sơ đồ tổ chức",
		Lang:    "vi",
		Loading: "Đang tải sơ đồ tổ chức…",
		// The document is served both at /chart and at /chart/; an absolute
		// path finds the assets from either.
		AssetURL: AssetPath,
		Settings: map[string]any{"endpoint": opts.Endpoint},
	})
	if err != nil {
		panic("chartview: " + err.Error())
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+PagePath+"/{$}", page)
	mux.Handle("GET "+PagePath, page)
	mux.Handle("GET "+AssetPath, http.StripPrefix(AssetPath, assets))
	return mux
}
