package graph

import (
	"context"
	"sync"

	"dangbo/graph/model"
	"dangbo/internal/org"
)

// StreamEnd holds why a subscription's stream ended, for the server to send
// as the stream's last answer: gqlgen's transports end a stream when its
// channel closes, and carry no error of their own after it started.
type StreamEnd struct {
	mu       sync.Mutex
	err      error
	reported bool
}

type streamEndKey struct{}

// WithStreamEnd gives the subscription that runs in ctx a place to say why
// its stream ended.
func WithStreamEnd(ctx context.Context) (context.Context, *StreamEnd) {
	e := &StreamEnd{}
	return context.WithValue(ctx, streamEndKey{}, e), e
}

// StreamEndFrom is the StreamEnd of ctx; nil outside a subscription.
func StreamEndFrom(ctx context.Context) *StreamEnd {
	e, _ := ctx.Value(streamEndKey{}).(*StreamEnd)
	return e
}

// Report returns why the stream ended, once; nil after, and when it ended
// because its client left.
func (e *StreamEnd) Report() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.reported {
		return nil
	}
	e.reported = true
	return e.err
}

func (e *StreamEnd) set(err error) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.err = err
}

// changeStream hands a domain stream to gqlgen as a channel of answers; why
// it ended goes to ctx's StreamEnd before the channel closes.
func changeStream(ctx context.Context, st *org.Stream) <-chan *model.Change {
	out := make(chan *model.Change)
	go func() {
		defer close(out)
		for c := range st.C {
			select {
			case out <- &model.Change{Change: c}:
			case <-ctx.Done():
				return
			}
		}
		StreamEndFrom(ctx).set(st.Err())
	}()
	return out
}
