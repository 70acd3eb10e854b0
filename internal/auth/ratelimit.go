package auth

import (
	"context"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"dangbo/internal/org"
)

// maxBuckets bounds the limiter's memory whatever the number of callers:
// beyond it, new callers share one bucket until idle buckets are evicted.
const maxBuckets = 100_000

// RateLimiter bounds each caller's requests with a token bucket: one per
// principal subject, one per client address (an IPv6 /64) for requests
// without a principal. Mount it after the authentication middleware.
type RateLimiter struct {
	limit rate.Limit
	burst int
	// idle is how long a bucket stays unused before it is evicted; by then
	// it has refilled, so a fresh bucket would behave the same.
	idle time.Duration
	now  func() time.Time

	// refused counts the requests and operations turned away, for metrics.
	refused atomic.Uint64

	mu       sync.Mutex
	buckets  map[string]*bucket
	overflow *rate.Limiter
	swept    time.Time
}

type bucket struct {
	limiter *rate.Limiter
	used    time.Time
}

// NewRateLimiter allows each caller perSecond requests a second (more than
// zero) on average, and bursts of up to burst requests.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	burst = max(burst, 1)
	refill := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &RateLimiter{
		limit:    rate.Limit(perSecond),
		burst:    burst,
		idle:     max(refill, time.Minute),
		now:      time.Now,
		buckets:  map[string]*bucket{},
		overflow: rate.NewLimiter(rate.Limit(perSecond), burst),
	}
}

// Middleware answers 429 with Retry-After (whole seconds) and a
// GraphQL-shaped LIMIT_EXCEEDED error when the caller's bucket is empty.
// A request costs a token, and one more for each BodyUnit of body it sent,
// charged once it has been read: receiving, decoding and parsing a
// megabyte costs what seventeen small requests do.
func (l *RateLimiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := callerKey(r.Context(), r.RemoteAddr)
		if seconds, err := l.take(key, l.now()); err != nil {
			w.Header().Set("Retry-After", strconv.Itoa(seconds))
			WriteError(w, http.StatusTooManyRequests, err)
			return
		}
		var body *countedBody
		if r.Body != nil && r.Body != http.NoBody {
			body = &countedBody{ReadCloser: r.Body}
			r.Body = body
		}
		next.ServeHTTP(w, r)
		if body != nil && body.n >= BodyUnit {
			// Into debt if need be: the requests that follow wait for it.
			l.bucket(key, l.now()).ReserveN(l.now(), min(int(body.n/BodyUnit), l.burst))
		}
	})
}

// BodyUnit is the size of request body that costs one more token.
const BodyUnit = 64 << 10

// countedBody counts the bytes read from a request body.
type countedBody struct {
	io.ReadCloser
	n int64
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// Allow spends a token of the caller in ctx for work that is not an HTTP
// request of its own, an operation over a websocket: LIMIT_EXCEEDED when
// their bucket is empty. The bucket is the one their HTTP requests use.
func (l *RateLimiter) Allow(ctx context.Context) error {
	_, err := l.take(callerKey(ctx, ""), l.now())
	return err
}

// Refused is how many requests and operations the limiter has turned away.
func (l *RateLimiter) Refused() uint64 { return l.refused.Load() }

// take spends a token of key's bucket, or says in how many seconds one is back.
func (l *RateLimiter) take(key string, now time.Time) (int, error) {
	limiter := l.bucket(key, now)
	if limiter.AllowN(now, 1) {
		return 0, nil
	}
	l.refused.Add(1)
	wait := (1 - limiter.TokensAt(now)) / float64(l.limit)
	seconds := max(int(math.Ceil(wait)), 1)
	return seconds, org.Errorf(org.ELimitExceeded, "Quá nhiều yêu cầu: hãy thử lại sau %d giây.", seconds)
}

func (l *RateLimiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= l.idle {
		l.evictIdle(now)
	}
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			return l.overflow
		}
		b = &bucket{limiter: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.used = now
	return b.limiter
}

// evictIdle runs at most once per idle period, so its cost per request is
// constant on average.
func (l *RateLimiter) evictIdle(now time.Time) {
	for key, b := range l.buckets {
		if now.Sub(b.used) >= l.idle {
			delete(l.buckets, key)
		}
	}
	l.swept = now
}

// callerKey names the bucket of the caller in ctx, or of the client at
// remoteAddr when there is none.
func callerKey(ctx context.Context, remoteAddr string) string {
	if p, ok := org.PrincipalFrom(ctx); ok {
		return "subject " + p.Subject
	}
	return "address " + clientNetwork(remoteHost(remoteAddr))
}

// remoteHost is a request's RemoteAddr without the port.
func remoteHost(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}

// clientNetwork is the network of a client's address that one client holds:
// the address itself for IPv4, the /64 for IPv6.
func clientNetwork(host string) string {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if addr.Is4In6() || addr.Is4() {
		return addr.Unmap().String()
	}
	prefix, _ := addr.WithZone("").Prefix(64)
	return prefix.String()
}
