package auth

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"dangbo/internal/org"
)

// InFlight bounds how many requests each caller (as RateLimiter tells them
// apart) has running at once. A request over the bound waits up to a short
// time for one of the caller's own to finish, then gets 429: a caller that
// sends many heavy queries at once runs a few of them, not all, and the
// cores stay with the others. Streams pass through (IsStream): a socket or
// an event stream is open for long; its operations are not requests, and
// the service bounds a caller's streams itself. Mount it after the
// authentication middleware.
type InFlight struct {
	max  int
	wait time.Duration

	// refused counts the requests turned away, for metrics.
	refused atomic.Uint64

	mu      sync.Mutex
	callers map[string]*callerSlots
}

// callerSlots holds one slot per running request; users counts the requests
// holding or waiting for one, so that an idle caller's entry goes.
type callerSlots struct {
	running chan struct{}
	users   int
}

// NewInFlight lets each caller run max requests (1 or more) at once; others
// wait up to wait for a slot.
func NewInFlight(max int, wait time.Duration) *InFlight {
	return &InFlight{max: max, wait: wait, callers: map[string]*callerSlots{}}
}

func (l *InFlight) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		key := callerKey(r.Context(), r.RemoteAddr)
		slots := l.join(key)
		defer l.leave(key, slots)
		timer := time.NewTimer(l.wait)
		defer timer.Stop()
		select {
		case slots.running <- struct{}{}:
		case <-timer.C:
			l.refused.Add(1)
			seconds := max(int(l.wait.Seconds()), 1)
			w.Header().Set("Retry-After", strconv.Itoa(seconds))
			WriteError(w, http.StatusTooManyRequests, org.Errorf(org.ELimitExceeded,
				"Quá nhiều yêu cầu đang chạy cùng lúc (tối đa %d): hãy chờ các yêu cầu trước xong rồi thử lại.", l.max))
			return
		case <-r.Context().Done():
			return // the client left, or the request's deadline passed while waiting
		}
		defer func() { <-slots.running }()
		next.ServeHTTP(w, r)
	})
}

// Refused is how many requests the bound has turned away.
func (l *InFlight) Refused() uint64 { return l.refused.Load() }

func (l *InFlight) join(key string) *callerSlots {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.callers[key]
	if s == nil {
		s = &callerSlots{running: make(chan struct{}, l.max)}
		l.callers[key] = s
	}
	s.users++
	return s
}

func (l *InFlight) leave(key string, s *callerSlots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.users--; s.users == 0 {
		delete(l.callers, key)
	}
}
