package auth

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"dangbo/internal/org"
)

// A caller runs at most max requests at once; the next waits for one to
// finish, or gets 429 when none does in time; another caller is not held up.
func TestInFlightPerCaller(t *testing.T) {
	release := make(chan struct{})
	var started sync.WaitGroup
	blocking := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Block") != "" {
			started.Done()
			<-release
		}
	})
	l := NewInFlight(2, 50*time.Millisecond)
	h := l.Middleware(blocking)
	blocked := func(subject string) chan int {
		done := make(chan int, 1)
		started.Add(1)
		go func() {
			r := newRequest(subject)
			r.Header.Set("X-Block", "1")
			done <- serve(h, r).Code
		}()
		return done
	}
	first, second := blocked("a"), blocked("a")
	started.Wait()
	rec := serve(h, newRequest("a"))
	if message, code := decodeError(t, rec); rec.Code != http.StatusTooManyRequests || code != org.ELimitExceeded || message == "" {
		t.Fatalf("a third request of a caller running two: %d %s %q", rec.Code, code, message)
	}
	if rec := serve(h, newRequest("b")); rec.Code != http.StatusOK {
		t.Fatalf("another caller: %d", rec.Code)
	}
	// A request that waits gets the slot of one that ends.
	waiting := make(chan int, 1)
	l.wait = time.Minute
	go func() { waiting <- serve(h, newRequest("a")).Code }()
	release <- struct{}{}
	if code := <-waiting; code != http.StatusOK {
		t.Fatalf("waiting for a slot: %d", code)
	}
	close(release)
	if <-first != http.StatusOK || <-second != http.StatusOK {
		t.Fatal("the blocked requests failed")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.callers) != 0 {
		t.Fatalf("idle callers kept: %d", len(l.callers))
	}
}

func newRequest(subject string) *http.Request {
	r := httptest.NewRequest("POST", "/graphql", nil)
	return r.WithContext(org.WithPrincipal(r.Context(), &org.Principal{Subject: subject, Roles: []org.AccessRole{org.Viewer}}))
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
