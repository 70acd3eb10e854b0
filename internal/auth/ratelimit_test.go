package auth

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dangbo/internal/org"
)

// clock is a time the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(perSecond float64, burst int) (*RateLimiter, *clock) {
	c := &clock{t: time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)}
	l := NewRateLimiter(perSecond, burst)
	l.now = c.now
	return l, c
}

// request sends a request as subject (none when empty) from remoteAddr.
func request(h http.Handler, subject, remoteAddr string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/graphql", nil)
	r.RemoteAddr = remoteAddr
	if subject != "" {
		r = r.WithContext(org.WithPrincipal(r.Context(), &org.Principal{Subject: subject, Roles: []org.AccessRole{org.Admin}}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

var ok = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func TestRateLimit(t *testing.T) {
	l, clock := newTestLimiter(2, 3)
	h := l.Middleware(ok)
	for i := range 3 {
		if rec := request(h, "a", "192.0.2.1:1000"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := request(h, "a", "192.0.2.1:1000")
	message, code := decodeError(t, rec)
	if rec.Code != http.StatusTooManyRequests || code != org.ELimitExceeded || rec.Header().Get("Retry-After") != "1" ||
		message != "Quá nhiều yêu cầu: hãy thử lại sau 1 giây." {
		t.Fatalf("over the burst: %d %s %q, Retry-After %q", rec.Code, code, message, rec.Header().Get("Retry-After"))
	}
	if rec := request(h, "b", "192.0.2.1:1000"); rec.Code != http.StatusOK {
		t.Fatalf("another subject from the same address shares no bucket: %d", rec.Code)
	}
	clock.advance(500 * time.Millisecond)
	if rec := request(h, "a", "192.0.2.1:1000"); rec.Code != http.StatusOK {
		t.Fatalf("a token back after half a second at 2/s: %d", rec.Code)
	}
	if rec := request(h, "a", "192.0.2.1:1000"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("and only one: %d", rec.Code)
	}
	if n := l.Refused(); n != 2 {
		t.Fatalf("refused %d, want 2", n)
	}
}

func TestRetryAfterIsWholeSeconds(t *testing.T) {
	l, clock := newTestLimiter(0.1, 1) // one request every 10 s
	h := l.Middleware(ok)
	request(h, "a", "192.0.2.1:1")
	clock.advance(2500 * time.Millisecond)
	if got := request(h, "a", "192.0.2.1:1").Header().Get("Retry-After"); got != "8" {
		t.Fatalf("Retry-After = %q, want 8 (7.5 s rounded up)", got)
	}
}

func TestBucketsPerAddressWithoutPrincipal(t *testing.T) {
	l, _ := newTestLimiter(1, 1)
	h := l.Middleware(ok)
	for _, tc := range []struct {
		addr string
		want int
	}{
		{"192.0.2.1:1000", http.StatusOK},
		{"192.0.2.1:2000", http.StatusTooManyRequests}, // another port, the same client
		{"[::ffff:192.0.2.1]:3000", http.StatusTooManyRequests},
		{"192.0.2.2:1000", http.StatusOK},
		{"[2001:db8:1:2::1]:1000", http.StatusOK},
		{"[2001:db8:1:2:ffff::9]:1000", http.StatusTooManyRequests}, // the same /64
		{"[2001:db8:1:3::1]:1000", http.StatusOK},
	} {
		if rec := request(h, "", tc.addr); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.addr, rec.Code, tc.want)
		}
	}
	if rec := request(h, "192.0.2.2", "192.0.2.9:1"); rec.Code != http.StatusOK {
		t.Errorf("a subject that looks like an address shares its bucket: %d", rec.Code)
	}
}

func TestIdleBucketsAreEvicted(t *testing.T) {
	l, clock := newTestLimiter(10, 20) // refills in 2 s; idle after a minute
	h := l.Middleware(ok)
	for i := range 50 {
		request(h, fmt.Sprint("subject-", i), "192.0.2.1:1")
	}
	clock.advance(30 * time.Second)
	request(h, "subject-0", "192.0.2.1:1")
	if n := len(l.buckets); n != 50 {
		t.Fatalf("%d buckets after 30 s, want 50", n)
	}
	clock.advance(45 * time.Second)
	request(h, "subject-new", "192.0.2.1:1")
	if n := len(l.buckets); n != 2 {
		t.Fatalf("%d buckets after the idle ones went, want 2 (subject-0 used 45 s ago, subject-new)", n)
	}
}

func TestBucketsAreBounded(t *testing.T) {
	l, _ := newTestLimiter(1, 1)
	for i := range maxBuckets {
		l.take(fmt.Sprint("subject ", i), l.now())
	}
	if _, err := l.take("subject late", l.now()); err != nil {
		t.Fatal("the first caller beyond the bound was refused")
	}
	if _, err := l.take("subject later", l.now()); err == nil {
		t.Fatal("callers beyond the bound do not share one bucket")
	}
	if n := len(l.buckets); n != maxBuckets {
		t.Fatalf("%d buckets, bound %d", n, maxBuckets)
	}
}

// A large body costs a token per BodyUnit besides the request's own, so
// that a caller sending megabytes is slowed as one sending many requests.
func TestLargeBodiesCostMore(t *testing.T) {
	l, clock := newTestLimiter(1, 20)
	read := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) })
	h := l.Middleware(read)
	send := func(size int) int {
		r := httptest.NewRequest("POST", "/graphql", strings.NewReader(strings.Repeat(" ", size)))
		r.RemoteAddr = "192.0.2.1:1000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	if code := send(BodyUnit - 1); code != http.StatusOK {
		t.Fatalf("a body under a unit: %d", code)
	}
	// 19 tokens left; a body of ten units costs eleven.
	if code := send(10 * BodyUnit); code != http.StatusOK {
		t.Fatalf("ten units within the burst: %d", code)
	}
	if code := send(10); code != http.StatusOK {
		t.Fatalf("8 tokens left: %d", code)
	}
	if code := send(BodyUnit * 40); code != http.StatusOK { // 7 left: charged a burst (20), into debt
		t.Fatalf("the last tokens: %d", code)
	}
	if code := send(10); code != http.StatusTooManyRequests {
		t.Fatalf("in debt: %d", code)
	}
	clock.advance(20 * time.Second)
	if code := send(10); code != http.StatusOK {
		t.Fatalf("the debt repaid after 20 s at 1/s: %d", code)
	}
}
