// Package browsertest drives Debian's headless Chromium (the chromium
// package) from Go tests through chromedp.
//
// Each Browser runs its own Chromium with a fresh profile. Every request for
// a non-loopback address goes to a proxy that refuses it, so no test traffic
// leaves the machine. The tab runs in a browser context of its own with its
// own such proxy, which also records the requests, so that a test can assert
// that its page (frames and workers) tried to reach no other host. Chromium's
// own background requests, which some of its services send despite the
// flags, go to the browser's proxy and are not counted.
//
// Without Chromium a test is skipped, unless DANGBO_REQUIRE_BROWSER=1, which
// makes it fail instead (for CI).
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

const (
	// DefaultTimeout bounds each step of a test: a navigation, a wait, a click.
	DefaultTimeout = 30 * time.Second
	// The tab's viewport, in CSS pixels; screenshots have this size.
	ViewportWidth, ViewportHeight = 1280, 800
)

// Browser is one headless Chromium with one tab, owned by one test.
type Browser struct {
	t         testing.TB
	ctx       context.Context
	pageProxy *recordingProxy

	// Timeout bounds each step; DefaultTimeout unless the test changes it.
	Timeout time.Duration

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// Start launches Chromium for t and closes it when t ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	execPath := chromiumPath()
	if execPath == "" {
		const msg = "browsertest: chromium is not installed (apt-get install -y chromium chromium-driver)"
		if os.Getenv("DANGBO_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + "; DANGBO_REQUIRE_BROWSER=1 requires it")
		}
		t.Skip(msg)
	}

	sink := httptest.NewServer(http.HandlerFunc(refuse))
	t.Cleanup(sink.Close)
	pageProxy := newRecordingProxy()
	t.Cleanup(pageProxy.server.Close)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		// The flags known to work on these machines (see the environment
		// notes): no sandbox as root, and none of Chromium's own background
		// traffic, which the closed network would refuse.
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Autofill asks Google about a page's forms through the page's own
		// browser context, which would count against the page.
		chromedp.Flag("disable-features", "AutofillServerCommunication"),
		// Chromium bypasses a proxy for loopback addresses by itself, so only
		// requests that would leave the machine reach it.
		chromedp.ProxyServer(sink.URL),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	// The first action starts the browser and binds it to browserCtx, not to
	// a step's timeout.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("browsertest: start %s: %v", execPath, err)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext(
		func(p *target.CreateBrowserContextParams) { p.ProxyServer = pageProxy.server.URL }))
	t.Cleanup(cancel)
	// A fixed viewport, so that screenshots are alike from run to run.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(ViewportWidth, ViewportHeight)); err != nil {
		t.Fatalf("browsertest: open a tab: %v", err)
	}

	b := &Browser{t: t, ctx: ctx, pageProxy: pageProxy, Timeout: DefaultTimeout}
	b.recordConsole()
	t.Cleanup(b.reportFailure) // runs first of the cleanups, while the tab lives
	return b
}

// reportFailure leaves what a failed test needs for a diagnosis: a screenshot
// and the page's console.
func (b *Browser) reportFailure() {
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		path := filepath.Join(b.t.ArtifactDir(), "failure.png")
		if os.WriteFile(path, png, 0o644) == nil {
			b.t.Logf("browsertest: screenshot at failure: %s", path)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		b.t.Logf("browsertest: console %s", m)
	}
}

// chromiumPath is the browser to drive: DANGBO_CHROMIUM when set, else Debian's
// chromium, else a Chrome such as CI runners carry.
func chromiumPath() string {
	if p := os.Getenv("DANGBO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func (b *Browser) recordConsole() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
}

// Do runs chromedp actions within Timeout and fails the test on error.
func (b *Browser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
}

// Navigate opens url and waits for the page to load.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do("navigate to "+url, chromedp.Navigate(url))
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (b *Browser) WaitVisible(css string) {
	b.t.Helper()
	b.Do("wait for "+css, chromedp.WaitVisible(chromedp.CSS(css)))
}

// Click clicks the first visible element matching the CSS selector.
func (b *Browser) Click(css string) {
	b.t.Helper()
	b.Do("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// ClickText waits for an element matching the CSS selector whose text is
// exactly text, and clicks the first: links of one class often differ only
// by their text.
func (b *Browser) ClickText(css, text string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`(css, text) => {
		const el = [...document.querySelectorAll(css)].find((e) => e.innerText.trim() === text);
		if (el) el.click();
		return !!el;
	}`,
		chromedp.WithPollingArgs(css, text),
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(b.Timeout),
	))
	if err != nil {
		b.t.Fatalf("browsertest: click %s showing %q: %v", css, text, err)
	}
}

// Type focuses the element matching the CSS selector and types text into it.
func (b *Browser) Type(css, text string) {
	b.t.Helper()
	b.Do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// Shows tells whether the first element matching the CSS selector shows text
// containing want now, without waiting.
func (b *Browser) Shows(css, want string) bool {
	b.t.Helper()
	text, err := b.text(css)
	return err == nil && strings.Contains(text, want)
}

// renderedText is the text an element shows, with the no-break spaces that
// code editors such as Monaco render turned into plain spaces.
const renderedText = `(css) => {
	const el = document.querySelector(css);
	return el ? el.innerText.replaceAll('\u00a0', ' ') : null;
}`

// Text returns the text that the first element matching the CSS selector shows.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	text, err := b.text(css)
	if err != nil {
		b.t.Fatalf("browsertest: read text of %s: %v", css, err)
	}
	return text
}

func (b *Browser) text(css string) (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	arg, _ := json.Marshal(css) // a string always marshals
	text, err := chromedp.Run(ctx, chromedp.Evaluate[*string](fmt.Sprintf("(%s)(%s)", renderedText, arg)))
	if err != nil {
		return "", err
	}
	if text == nil {
		return "", errors.New("no such element")
	}
	return *text, nil
}

// WaitText waits until the first element matching the CSS selector shows
// text containing want.
func (b *Browser) WaitText(css, want string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](
		`(css, want) => ((`+renderedText+`)(css) ?? '').includes(want)`,
		chromedp.WithPollingArgs(css, want),
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(b.Timeout),
	))
	if err != nil {
		shown, _ := b.text(css)
		b.t.Fatalf("browsertest: wait for %q in %s: %v; it shows %q", want, css, err, shown)
	}
}

// Screenshot saves the visible part of the page as name.png in the test's
// artifact directory (kept with `go test -artifacts -outputdir DIR`) and
// returns the PNG.
func (b *Browser) Screenshot(name string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("browsertest: screenshot: %v", err)
	}
	path := filepath.Join(b.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browsertest: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
	return png
}

// ConsoleErrors returns the errors and uncaught exceptions the page has
// written to the console so far; refused requests and CSP violations are
// among them.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []string
	for _, m := range b.console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			errs = append(errs, m.String())
		}
	}
	return errs
}

// ExternalRequests returns the requests the page (its frames and workers)
// tried to send beyond loopback, all refused: "http://host/path" for plain
// HTTP, "https://host:port" for TLS and secure websockets, whose path the
// proxy cannot see.
func (b *Browser) ExternalRequests() []string {
	return b.pageProxy.recorded()
}

// AssertNoExternalRequests fails the test if the page tried to reach beyond
// loopback.
func (b *Browser) AssertNoExternalRequests() {
	b.t.Helper()
	if reqs := b.ExternalRequests(); len(reqs) > 0 {
		b.t.Errorf("browsertest: the page tried to leave loopback: %v", reqs)
	}
}

func refuse(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "browsertest: tests may not leave loopback", http.StatusForbidden)
}

// recordingProxy records each request for another host, then refuses it.
type recordingProxy struct {
	server   *httptest.Server
	mu       sync.Mutex
	requests []string
}

func newRecordingProxy() *recordingProxy {
	p := &recordingProxy{}
	p.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.URL.String()
		if r.Method == http.MethodConnect {
			target = "https://" + r.Host
		}
		p.mu.Lock()
		p.requests = append(p.requests, target)
		p.mu.Unlock()
		refuse(w, r)
	}))
	return p
}

func (p *recordingProxy) recorded() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}
