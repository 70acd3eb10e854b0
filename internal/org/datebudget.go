package org

import (
	"context"
	"sync"
	"time"
)

// A DateBudget bounds how many dates one request, or one stream, may have a
// store build the whole structure on: the first read as of a date that is not
// cached costs that, and the dates a request's arguments name are paid for
// by its cost before it runs, but those its data names (the dates of the
// changes in a page of history, under fields nested in their subjects) are
// known only as it runs. Past the dates paid for, each new date takes one
// from the budget, which a stream earns back at a steady rate.
type DateBudget struct {
	mu    sync.Mutex
	seen  map[Date]bool // paid for, or taken from the budget
	left  float64
	burst float64
	every time.Duration // one date earned back each; 0: none
	last  time.Time
}

// NewDateBudget is a budget that has paid for dates paid and holds left
// more, earning one back every every (0: never) up to left.
func NewDateBudget(paid []Date, left int, every time.Duration) *DateBudget {
	b := &DateBudget{seen: make(map[Date]bool, len(paid)), left: float64(left), burst: float64(left), every: every, last: time.Now()}
	for _, d := range paid {
		b.seen[d] = true
	}
	return b
}

type dateBudgetKey struct{}

// WithDateBudget is ctx whose reads spend b.
func WithDateBudget(ctx context.Context, b *DateBudget) context.Context {
	return context.WithValue(ctx, dateBudgetKey{}, b)
}

// SpendDate takes date d from the budget of ctx, for a read that must build
// the whole structure on d: nil without a budget, and for a date paid for or
// already taken; LIMIT_EXCEEDED once the budget is spent.
func SpendDate(ctx context.Context, d Date) error {
	b, _ := ctx.Value(dateBudgetKey{}).(*DateBudget)
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[d] {
		return nil
	}
	if b.every > 0 {
		now := time.Now()
		b.left = min(b.burst, b.left+float64(now.Sub(b.last))/float64(b.every))
		b.last = now
	}
	if b.left < 1 {
		return Errorf(ELimitExceeded, "Truy vấn cần cấu trúc tổ chức tại quá nhiều ngày khác nhau so với độ phức tạp đã tính: "+
			"hãy giảm first của danh sách thay đổi, hoặc bỏ bớt các trường lồng trong subjects (ancestors, children, members …).")
	}
	b.left--
	if b.every == 0 { // a stream's dates would pile up for as long as it lasts
		b.seen[d] = true
	}
	return nil
}
