package browsertest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// A page with a form, and an image and a worker's fetch from a host that must
// never be reached.
const testPage = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>browsertest</title>
<style>
body { font: 20px sans-serif; background: #fff; }
.band { height: 120px; background: linear-gradient(90deg, #c0392b, #f1c40f, #27ae60, #2980b9); }
</style></head>
<body>
<div class="band"></div>
<h1>Chi bộ thôn Đông Tiến</h1>
<input id="name"> <button id="greet" onclick="document.getElementById('out').textContent = 'Xin chào, ' + document.getElementById('name').value">Chào</button>
<p id="out"></p>
<img src="http://offline-check.invalid/pixel.png" alt="" onerror="document.getElementById('image').textContent = 'refused'">
<p id="image"></p>
<p id="worker"></p>
<script>new Worker('/worker.js').onmessage = (e) => { document.getElementById('worker').textContent = e.data }</script>
</body></html>`

const testWorker = `fetch('http://offline-check.invalid/from-worker').catch(() => postMessage('refused'))`

func TestBrowserDrivesPageAndKeepsItOffline(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/worker.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(testWorker))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(testPage))
	}))
	t.Cleanup(site.Close)

	b := Start(t)
	b.Navigate(site.URL)
	b.WaitVisible("#greet")
	b.Type("#name", "Nguyễn Văn An")
	b.Click("#greet")
	b.WaitText("#out", "Xin chào, Nguyễn Văn An")
	if got := b.Text("h1"); got != "Chi bộ thôn Đông Tiến" {
		t.Errorf("h1 shows %q", got)
	}
	if err := NonBlank(b.Screenshot("form")); err != nil {
		t.Error(err)
	}

	b.WaitText("#image", "refused")
	b.WaitText("#worker", "refused")
	want := []string{"http://offline-check.invalid/from-worker", "http://offline-check.invalid/pixel.png"}
	if reqs := b.ExternalRequests(); !slices.Equal(slices.Sorted(slices.Values(reqs)), want) {
		t.Errorf("external requests = %v, want %v", reqs, want)
	}
	if errs := b.ConsoleErrors(); !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, "from-worker") }) {
		t.Errorf("console errors = %q, want the worker's refused fetch among them", errs)
	}
}

func TestNonBlank(t *testing.T) {
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	blank := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if err := NonBlank(encode(blank)); err == nil {
		t.Error("a white image passed as non-blank")
	}

	dot := image.NewRGBA(blank.Rect)
	copy(dot.Pix, blank.Pix)
	for x := range 30 {
		dot.Set(x, 0, color.RGBA{uint8(x * 8), 0, 0, 0xff})
	}
	if err := NonBlank(encode(dot)); err == nil {
		t.Error("an image with a sliver of content passed as non-blank")
	}

	drawn := image.NewRGBA(blank.Rect)
	copy(drawn.Pix, blank.Pix)
	for y := 20; y < 60; y++ {
		for x := range 200 {
			drawn.Set(x, y, color.RGBA{uint8(x), uint8(y * 4), 0x80, 0xff})
		}
	}
	if err := NonBlank(encode(drawn)); err != nil {
		t.Errorf("a drawn image: %v", err)
	}

	if err := NonBlank([]byte("not a png")); err == nil {
		t.Error("garbage passed as a screenshot")
	}
}
