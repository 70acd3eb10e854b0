// Package playground serves GraphiQL from the binary itself, so that the
// GraphQL playground works on networks without internet access. The assets
// are built from the npm graphiql package by web/graphiql (see its build.mjs)
// into dist/, which is committed and embedded.
package playground

import (
	"embed"
	"net/http"
	"strings"

	"dangbo/web"
)

// AssetPath is where the handler serves the playground's scripts, styles and
// workers; the page itself is at "/".
const AssetPath = "/playground/assets/"

// Example is a ready-made query, opened as a tab when a browser first visits
// the playground (GraphiQL keeps the user's own tabs after that).
type Example struct {
	// Name heads the tab's query as a comment; GraphiQL titles the tab by
	// the query's operation name.
	Name      string
	Query     string
	Variables string // JSON; empty for none
}

// Options configures the playground page.
type Options struct {
	// Title of the browser tab; defaults to "dangbo · GraphQL".
	Title string
	// Endpoint is the GraphQL URL path on the same origin, e.g. "/graphql"
	// (the default). The page may reach no other origin.
	Endpoint string
	Examples []Example
}

//go:embed dist
var dist embed.FS

var assets = web.MustLoadAssets(dist, "dist")

// New returns a handler for "/" (the page) and AssetPath; mount it at "/".
// It panics if Endpoint is not a path on the page's own origin.
func New(opts Options) http.Handler {
	if opts.Title == "" {
		opts.Title = "dangbo · GraphQL"
	}
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	if err := web.CheckEndpoint(opts.Endpoint); err != nil {
		panic(err)
	}
	type exampleSettings struct {
		Name      string `json:"name"`
		Query     string `json:"query"`
		Variables string `json:"variables,omitempty"`
	}
	examples := make([]exampleSettings, len(opts.Examples))
	for i, e := range opts.Examples {
		examples[i] = exampleSettings(e)
	}
	page, err := assets.Page(web.Page{
		Title:    opts.Title,
		Lang:     "vi",
		Loading:  "Đang tải GraphiQL…",
		AssetURL: strings.TrimPrefix(AssetPath, "/"),
		Settings: map[string]any{"endpoint": opts.Endpoint, "examples": examples},
	})
	if err != nil {
		panic("playground: " + err.Error())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET "+AssetPath, http.StripPrefix(AssetPath, assets))
	return mux
}
