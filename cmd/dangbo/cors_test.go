package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"dangbo/internal/browsertest"
)

// corsPage is a frontend's page: it queries the API named in its address
// with the token given there, as a browser app would, and shows what came
// back or why the browser refused.
const corsPage = `<!doctype html><meta charset="utf-8"><title>frontend</title><pre id="out">…</pre><pre id="socket">…</pre>
<script>
const params = new URLSearchParams(location.search);
const api = params.get("api"), authorization = "Bearer " + params.get("token");
fetch(api, {method: "POST", headers: {"Content-Type": "application/json", "Authorization": authorization},
	body: JSON.stringify({query: "{ roots { name } }"})})
	.then(async (r) => { out.textContent = "answered " + r.status + " id=" + r.headers.get("X-Request-Id") + " " + await r.text(); })
	.catch((e) => { out.textContent = "refused " + e; });
const ws = new WebSocket(api.replace(/^http/, "ws"), "graphql-transport-ws");
ws.onopen = () => ws.send(JSON.stringify({type: "connection_init", payload: {Authorization: authorization}}));
ws.onmessage = (e) => {
	const m = JSON.parse(e.data);
	if (m.type === "connection_ack") ws.send(JSON.stringify({type: "subscribe", id: "1", payload: {query: "{ __typename }"}}));
	if (m.type === "next") socket.textContent = "answered " + JSON.stringify(m.payload);
};
ws.onclose = (e) => { if (socket.textContent === "…") socket.textContent = "refused " + e.code; };
</script>`

// frontend serves corsPage from an origin of its own.
func frontend(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(corsPage))
	}))
	t.Cleanup(s.Close)
	return s
}

// TestCORSInABrowser: a page served from another origin (another port), once
// listed in --cors-origins, queries the API with a bearer token through
// Chromium's preflight, reads the request id the server exposes, and runs an
// operation over a websocket; a page from an origin not listed is refused,
// request and socket.
func TestCORSInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	allowed, other := frontend(t), frontend(t)
	s := start(t, t.TempDir(), "--empty", "--cors-origins", allowed.URL)
	query := "/?" + url.Values{"api": {s.url + "/graphql"}, "token": {adminToken}}.Encode()

	b.Navigate(allowed.URL + query)
	b.WaitText("#out", "answered")
	if got := b.Text("#out"); !regexp.MustCompile(`^answered 200 id=[A-Z2-7]{26} \{"data":\{"roots":\[\]\}\}$`).MatchString(got) {
		t.Fatalf("the allowed page shows %q", got)
	}
	b.WaitText("#socket", `answered {"data":{"__typename":"Query"}}`)
	b.Navigate(other.URL + query)
	b.WaitText("#out", "refused TypeError")
	b.WaitText("#socket", "refused 1006")
}
