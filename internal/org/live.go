package org

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Feed is a store that can follow its history as it grows: what live
// subscriptions to the changes read. Changes are committed in the order of
// their numbers (writers serialise), so "every change numbered above the
// last one seen" misses none.
type Feed interface {
	// LastSeq is the number of the last change committed; 0 for none.
	LastSeq(ctx context.Context) (int64, error)
	// ChangesAfter lists, by number, up to limit committed changes numbered
	// above after, whole.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error)
	// Commits signals that changes were committed: one value for one or
	// more commits, to its one reader. Nil when the store cannot tell (a
	// database other instances write too): the feed is then polled.
	Commits() <-chan struct{}
}

// Defaults of the live feed.
const (
	// DefaultPollInterval is how often a store without Commits is read for
	// new changes while someone follows them.
	DefaultPollInterval = time.Second
	// StreamBuffer is how many reads of the feed a stream holds for a
	// client that has not taken them yet, each the changes it selects of
	// one or more commits (up to feedPage changes); one more and the stream
	// is dropped, so that a slow client never holds back the feed, nor the
	// writers. A large commit (a scenario of hundreds of operations
	// applied) is one read, not hundreds of changes, so it reaches every
	// stream that keeps up.
	StreamBuffer = 256
	// feedPage is how many changes one read of the feed takes.
	feedPage = 500
)

// Stream is one caller's live changes: C yields each change as the caller
// may see it, and is closed when the stream ends; Err then says why (nil
// when the caller's context ended).
type Stream struct {
	C   <-chan Change
	err error // set before C is closed
}

// Err is why the stream ended, once C is closed.
func (s *Stream) Err() error { return s.err }

// Follow streams the changes q selects (its dates and paging aside) as
// they commit after the call, each as Changes would list it to the caller
// of ctx: within their scope, trimmed (trimChanges). With after, the
// changes numbered above it and already committed come first, so that a
// client reconnecting misses none (at most MaxBacklog numbers back:
// LIMIT_EXCEEDED beyond; BAD_USER_INPUT past the last change). The stream
// ends with UNAUTHENTICATED when the caller's token expires, LIMIT_EXCEEDED
// when the caller falls StreamBuffer reads of the feed behind, NOT_FOUND when q.Within leaves the caller's
// scope (as `changes` would then answer), and when ctx ends.
func (s *Service) Follow(ctx context.Context, q ChangeQuery, after *int64) (*Stream, error) {
	r, _, err := s.reader(ctx, View{})
	if err != nil {
		return nil, err
	}
	if after != nil && *after < 0 {
		return nil, Errorf(EInvalid, "after phải là số thứ tự (seq) của một thay đổi, từ 0 trở lên; nhận %d", *after)
	}
	q.Since, q.Until, q.First, q.After = 0, 0, 0, ""
	if err := r.historyQuery(ctx, &q); err != nil {
		return nil, err
	}
	// A stream on an organisation that never existed would wait for ever.
	if err := s.withinKnown(ctx, q.Within); err != nil {
		return nil, err
	}
	feed, ok := s.store.(Feed)
	if !ok {
		return nil, Errorf(EInternal, "kho dữ liệu không hỗ trợ theo dõi thay đổi trực tiếp")
	}
	sub := &subscriber{subject: r.p.Subject, q: q, after: after, in: make(chan []*Change, StreamBuffer), gone: make(chan struct{})}
	if err := s.live.join(ctx, feed, sub); err != nil {
		return nil, err
	}
	out := make(chan Change)
	st := &Stream{C: out}
	go func() {
		defer close(out)
		defer s.live.leave(sub)
		st.err = s.forward(ctx, r, feed, sub, out)
	}()
	return st, nil
}

// MaxBacklog is how far back, in change numbers, a stream may resume: a
// client that lost its connection during a large commit (a scenario of
// thousands of operations applied) resumes after it. The backlog is read
// and handed over a page at a time.
const MaxBacklog = 20 * feedPage

// forward hands the backlog (the changes sub selects numbered above
// sub.after up to where the feed takes over), then the feed's, to out, as
// the caller of r sees them, until the stream ends; it returns why.
func (s *Service) forward(ctx context.Context, r *scoped, feed Feed, sub *subscriber, out chan<- Change) error {
	var expired <-chan time.Time
	if !r.p.Expires.IsZero() {
		t := time.NewTimer(time.Until(r.p.Expires))
		defer t.Stop()
		expired = t.C
	}
	// deliver scopes c as the changes query would now (within a subtree
	// the caller still sees today), trims it and hands it over.
	// A change that takes the subtree out of the caller's scope is theirs:
	// it arrives, then the stream ends.
	deliver := func(c *Change) (bool, error) {
		seen, err := r.trimChanges(ctx, []Change{*c})
		if err != nil {
			return false, err
		}
		var left error
		if sub.q.Within != "" {
			if left = r.seeOrg(ctx, View{At: s.today()}, sub.q.Within); left != nil && !slices.Contains(seen[0].Scope, sub.q.Within) {
				return false, left
			}
		}
		if !concerns(seen[0]) {
			return left == nil, left
		}
		select {
		case out <- seen[0]:
			return left == nil, left
		case <-ctx.Done():
			return false, nil
		case <-sub.gone:
			return false, sub.err()
		case <-expired:
			return false, errStreamExpired
		}
	}
	if sub.after != nil {
		for seq := *sub.after; seq < sub.from; {
			page, err := feed.ChangesAfter(ctx, seq, feedPage)
			if err != nil || len(page) == 0 {
				return err
			}
			for i := range page {
				if c := &page[i]; c.Seq <= sub.from && sub.q.Matches(c) {
					if ok, err := deliver(c); !ok {
						return err
					}
				}
			}
			seq = page[len(page)-1].Seq
		}
	}
	for {
		var batch []*Change
		select {
		case <-ctx.Done():
			return nil
		case <-expired:
			return errStreamExpired
		case <-sub.gone:
			return sub.err()
		case batch = <-sub.in:
		}
		for _, c := range batch {
			if ok, err := deliver(c); !ok {
				return err
			}
		}
	}
}

var (
	errStreamExpired = Errorf(EUnauthorized, "Token đã hết hạn: luồng theo dõi thay đổi đã kết thúc; hãy kết nối lại với token mới.")
	errStreamSlow    = Errorf(ELimitExceeded, "Luồng theo dõi thay đổi bị ngắt vì máy khách nhận chậm, để %d lượt thay đổi chờ nhận; hãy kết nối lại với after là seq cuối cùng đã nhận.", StreamBuffer)
	errFeedFailed    = Errorf(EUnavailable, "Không đọc được các thay đổi mới; luồng theo dõi đã kết thúc, hãy kết nối lại sau.")
)

// subscriber is one stream as the feed sees it.
type subscriber struct {
	subject string // whose stream it is, for the per-caller bound
	q       ChangeQuery
	after   *int64         // the change it resumes after; nil for none
	from    int64          // the change the feed hands it changes after: the last committed when it joined
	in      chan []*Change // what it selects of each read of the feed
	// gone is closed when the feed drops it (slow, or the feed failed),
	// dropped saying why: what it holds is never delivered.
	gone    chan struct{}
	mu      sync.Mutex
	dropped error
}

func (s *subscriber) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// liveFeed fans a store's new changes out to the streams that follow them.
// One goroutine reads the store, and only while someone follows; a writer
// does no more than signal the store's Commits.
type liveFeed struct {
	poll time.Duration
	mu   sync.Mutex
	subs map[*subscriber]struct{}
	// running tells whether the reading goroutine runs.
	running bool
	// perCaller bounds the streams one subject has open (0: no bound);
	// refused counts those it turned away.
	perCaller int
	refused   atomic.Uint64
}

func newLiveFeed() *liveFeed {
	return &liveFeed{poll: DefaultPollInterval, subs: map[*subscriber]struct{}{}}
}

// SetPollInterval sets how often a store without Commits is read for new
// changes (DefaultPollInterval unless set).
func (s *Service) SetPollInterval(d time.Duration) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	s.live.poll = d
}

// SetStreamLimit bounds the streams one caller (token subject) may have
// open at once; 0 for no bound.
func (s *Service) SetStreamLimit(n int) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	s.live.perCaller = n
}

// StreamsRefused is how many streams the per-caller bound turned away.
func (s *Service) StreamsRefused() uint64 { return s.live.refused.Load() }

// Following reports whether the feed's reader runs; it stops soon after the
// last stream ends (within a second, or a poll).
func (s *Service) Following() bool {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	return s.live.running
}

// OpenStreams is how many streams follow the changes now.
func (s *Service) OpenStreams() int {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	return len(s.live.subs)
}

// join adds sub from the last committed change on, and starts the reader if
// it is not running. The number is read under the lock the fan-out takes, so
// that every change after it reaches sub.
func (l *liveFeed) join(ctx context.Context, feed Feed, sub *subscriber) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perCaller > 0 {
		open := 0
		for other := range l.subs {
			if other.subject == sub.subject {
				open++
			}
		}
		if open >= l.perCaller {
			l.refused.Add(1)
			return Errorf(ELimitExceeded, "Bạn đã mở %d luồng theo dõi thay đổi, mức tối đa cho phép; hãy đóng bớt một luồng rồi thử lại.", l.perCaller)
		}
	}
	from, err := feed.LastSeq(ctx)
	if err != nil {
		return err
	}
	if a := sub.after; a != nil {
		switch {
		case *a > from:
			// Accepted, it would hide the changes numbered up to it.
			return Errorf(EInvalid, "after (%d) không phải số thứ tự (seq) của một thay đổi đã ghi: hãy truyền seq của thay đổi cuối cùng đã nhận, hoặc bỏ after.", *a)
		case from-*a > MaxBacklog:
			return Errorf(ELimitExceeded, "after (%d) lùi quá %d thay đổi so với thay đổi mới nhất: hãy đọc những thay đổi đã lỡ bằng changes rồi theo dõi lại không kèm after.", *a, MaxBacklog)
		}
	}
	sub.from = from
	l.subs[sub] = struct{}{}
	if !l.running {
		l.running = true
		go l.run(feed, from)
	}
	return nil
}

func (l *liveFeed) leave(sub *subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, sub)
}

// run reads the changes numbered above last as they commit and fans them
// out, until no one follows.
func (l *liveFeed) run(feed Feed, last int64) {
	commits := feed.Commits()
	var tick <-chan time.Time
	if commits == nil {
		l.mu.Lock()
		t := time.NewTicker(l.poll)
		l.mu.Unlock()
		defer t.Stop()
		tick = t.C
	}
	// An idle check, so that the reader stops soon after the last stream
	// ends even when nothing is committed.
	idle := time.NewTicker(time.Second)
	defer idle.Stop()
	for {
		select {
		case <-commits:
		case <-tick:
		case <-idle.C:
		}
		l.mu.Lock()
		if len(l.subs) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		for {
			// The feed's own reads run on no caller's behalf, bounded.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			changes, err := feed.ChangesAfter(ctx, last, feedPage)
			cancel()
			if err != nil {
				l.dropAll(errFeedFailed)
				break
			}
			if len(changes) > 0 {
				last = changes[len(changes)-1].Seq
				l.fanOut(changes)
			}
			if len(changes) < feedPage {
				break
			}
		}
	}
}

// fanOut hands each stream, as one unit of its buffer, the changes of one
// read of the feed that it selects and that were committed after it joined,
// without waiting: a stream whose buffer is full is dropped.
func (l *liveFeed) fanOut(changes []Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for sub := range l.subs {
		var batch []*Change
		for i := range changes {
			if c := &changes[i]; c.Seq > sub.from && sub.q.Matches(c) {
				batch = append(batch, c)
			}
		}
		if len(batch) == 0 {
			continue
		}
		select {
		case sub.in <- batch:
		default:
			l.drop(sub, errStreamSlow)
		}
	}
}

func (l *liveFeed) dropAll(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for sub := range l.subs {
		l.drop(sub, err)
	}
}

// drop ends sub's stream with err; the caller holds l.mu.
func (l *liveFeed) drop(sub *subscriber, err error) {
	sub.mu.Lock()
	sub.dropped = err
	sub.mu.Unlock()
	delete(l.subs, sub)
	close(sub.gone)
}
