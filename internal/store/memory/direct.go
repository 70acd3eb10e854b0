package memory

import (
	"cmp"
	"slices"
	"sync"

	"dangbo/internal/org"
)

// directStep is an organisation's direct member counts from a date on, until
// the next step's date.
type directStep struct {
	on                  org.Date
	official, probation int32
}

// directCounts keeps, by organisation, its direct member counts on every
// date as steps, worked out from its members' records the first time a tree
// of any date needs them: a tree of a new date then costs a lookup per
// organisation instead of a walk over every member (a history page's
// subjects, or an org read as of many dates, build a tree per date). A write
// forgets the organisations whose members it moved.
type directCounts struct {
	mu    sync.Mutex
	byOrg map[string][]directStep
}

func (c *directCounts) forget(ids []string) {
	c.mu.Lock()
	for _, id := range ids {
		delete(c.byOrg, id)
	}
	c.mu.Unlock()
}

// on is organisation e's direct counts on date d.
func (c *directCounts) on(e *orgEntry, d org.Date) (official, probation int32) {
	c.mu.Lock()
	steps, ok := c.byOrg[e.rec.ID]
	c.mu.Unlock()
	if !ok {
		steps = directStepsOf(e)
		c.mu.Lock()
		if c.byOrg == nil {
			c.byOrg = map[string][]directStep{}
		}
		c.byOrg[e.rec.ID] = steps
		c.mu.Unlock()
	}
	i, found := slices.BinarySearchFunc(steps, d, func(s directStep, d org.Date) int { return cmp.Compare(s.on, d) })
	if !found {
		if i == 0 {
			return 0, 0
		}
		i--
	}
	return steps[i].official, steps[i].probation
}

// directStepsOf works out e's direct counts on every date: a member's part
// can change only on a date one of their stints starts or ends or they
// became official, so each member is read on those dates alone, with the
// same rules (CellOn, StatusOn) a count on one date applies.
func directStepsOf(e *orgEntry) []directStep {
	var deltas []directStep
	var dates []org.Date
	for _, m := range e.stints {
		r := &m.rec
		dates = dates[:0]
		for _, s := range r.Stints {
			dates = append(dates, s.Since, s.Until)
		}
		if r.OfficialOn != nil {
			dates = append(dates, *r.OfficialOn)
		}
		slices.Sort(dates)
		var was directStep
		for _, d := range slices.Compact(dates) {
			var now directStep
			if r.CellOn(d) == e.rec.ID {
				if r.StatusOn(d) == org.Official {
					now.official = 1
				} else {
					now.probation = 1
				}
			}
			if now != was {
				deltas = append(deltas, directStep{on: d, official: now.official - was.official, probation: now.probation - was.probation})
				was = now
			}
		}
	}
	slices.SortFunc(deltas, func(a, b directStep) int { return cmp.Compare(a.on, b.on) })
	var steps []directStep
	var sum directStep
	for i, dl := range deltas {
		sum.official, sum.probation = sum.official+dl.official, sum.probation+dl.probation
		if i+1 < len(deltas) && deltas[i+1].on == dl.on {
			continue
		}
		sum.on = dl.on
		steps = append(steps, sum)
	}
	return slices.Clip(steps)
}
