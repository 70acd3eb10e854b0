package org

import (
	"context"
	"time"
)

// A generator writes a history by running the domain's own operations, as a
// scenario's are run, with the ids and recording times it chooses: the demo
// data is the same history every time it is generated.

// Generator returns a copy of s whose operations take the ids of what they
// create from ids and record their changes at the times now gives, one call
// per change recorded.
func (s *Service) Generator(ids func(prefix string) string, now func() time.Time) *Service {
	g := *s
	g.ids, g.now = ids, now
	return &g
}

// clock is when the Service's changes are recorded.
func (s *Service) clock() func() time.Time {
	if s.now != nil {
		return s.now
	}
	return time.Now
}

// Run applies one operation by decision meta, the operation's note as the
// change's: the operations of a scenario one at a time, each with its own
// decision. A bulk operation, which selects in a scenario's structure, runs
// only in scenarios.
func (s *Service) Run(ctx context.Context, op Operation, meta Meta) error {
	switch op.Type {
	case OpTransferWhere, OpMergeByMapping, OpFlattenLevel:
		return Errorf(EInvalid, "thao tác hàng loạt chỉ dùng trong phương án")
	}
	meta.Note = op.Note
	return s.run(ctx, op, meta)
}
