package org

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// AuditEntry records one mutation or export: who, when, what, from where,
// and how it ended. Entries are never changed once written.
type AuditEntry struct {
	Seq     int64        `json:"seq"` // given by the store, increasing
	At      time.Time    `json:"at"`
	Subject string       `json:"subject"`
	Roles   []AccessRole `json:"roles,omitempty"`
	Address string       `json:"address,omitempty"`
	Action  string       `json:"action"`            // e.g. "createOrg", "export"
	Target  string       `json:"target,omitempty"`  // the ids it names
	Outcome string       `json:"outcome,omitempty"` // empty when it succeeded, else the error code
}

// AuditQuery asks for a page of the audit log, newest first.
type AuditQuery struct {
	First  int
	Before int64 // only entries with a lower Seq; 0 for the newest
}

// AuditPage is one page of the audit log.
type AuditPage struct {
	Entries []AuditEntry
	HasNext bool
}

// Bounds on what an audit entry records of the caller's input: refused
// actions are recorded too, so without them a caller could grow the store by
// whatever its requests carry (100 refused mutations with a 900 KB id once
// added 92 MB).
const (
	auditMaxValue   = 200 // bytes of one id or argument kept as sent
	auditKeptPrefix = 64  // bytes kept of a longer one, before its hash
	auditMaxTargets = 20  // ids kept of a longer list
)

// entry is the audit entry of an action by the caller in ctx.
func entry(ctx context.Context, action string, target ...string) AuditEntry {
	e := AuditEntry{At: time.Now().UTC(), Action: action, Target: auditTarget(target)}
	if p, ok := PrincipalFrom(ctx); ok {
		e.Subject, e.Roles, e.Address = auditValue(p.Subject), p.Roles, auditValue(p.Address)
	}
	return e
}

// auditTarget joins the ids an action names, each bounded, and at most
// auditMaxTargets of them followed by how many more there were.
func auditTarget(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i == auditMaxTargets {
			fmt.Fprintf(&b, " …(+%d)", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(auditValue(id))
	}
	return b.String()
}

// auditValue is v when it is short; otherwise its beginning, an ellipsis, its
// SHA-256 and its length, enough to recognise it without storing it.
func auditValue(v string) string {
	if len(v) <= auditMaxValue {
		return v
	}
	sum := sha256.Sum256([]byte(v))
	return fmt.Sprintf("%s…[sha256:%x, %d bytes]", strings.ToValidUTF8(v[:auditKeptPrefix], ""), sum, len(v))
}

// Mutate runs an action: check (rights, scope, input), then write in one
// store transaction that also records the action, so that no change is ever
// written without its audit entry. An action refused by check or failing in
// write is recorded on its own, with its error code.
func (s *Service) Mutate(ctx context.Context, action string, target []string, check func() error, write func(Tx) error) error {
	e := entry(ctx, action, target...)
	err := check()
	if err == nil {
		err = s.store.Update(ctx, func(tx Tx) error {
			if err := write(tx); err != nil {
				return err
			}
			return tx.Audit(ctx, e)
		})
	}
	if err != nil {
		s.auditFailure(ctx, e, err)
	}
	return err
}

// auditFailure records a refused or failed action. The caller's error stands
// either way, so a failure to record it is logged, not returned.
func (s *Service) auditFailure(ctx context.Context, e AuditEntry, err error) {
	e.Outcome = ErrorCode(err)
	if aerr := s.store.Audit(context.WithoutCancel(ctx), e); aerr != nil {
		s.logger().ErrorContext(ctx, "recording a failed action in the audit log", "action", e.Action, "err", aerr)
	}
}

// AuditLog lists the audit log, newest first; admins only.
func (s *Service) AuditLog(ctx context.Context, q AuditQuery) (AuditPage, error) {
	if _, err := Require(ctx, ManageData); err != nil {
		return AuditPage{}, err
	}
	if err := checkFirst(q.First); err != nil {
		return AuditPage{}, err
	}
	return s.store.AuditLog(ctx, q)
}

// AuditCount is how many entries the audit log holds, every page of
// AuditLog together; admins only.
func (s *Service) AuditCount(ctx context.Context) (int, error) {
	if _, err := Require(ctx, ManageData); err != nil {
		return 0, err
	}
	return s.store.AuditCount(ctx)
}

// Export writes the whole dataset to dst; admins only, and recorded.
func (s *Service) Export(ctx context.Context, dst RecordWriter) error {
	e := entry(ctx, "export")
	if _, err := Require(ctx, ManageData); err != nil {
		s.auditFailure(ctx, e, err)
		return err
	}
	if err := s.store.Audit(ctx, e); err != nil {
		return err
	}
	return s.store.Export(ctx, dst)
}

// Import loads a whole dataset into the empty store; admins only, and recorded.
func (s *Service) Import(ctx context.Context, src RecordReader) (ImportStats, error) {
	e := entry(ctx, "import")
	if _, err := Require(ctx, ManageData); err != nil {
		s.auditFailure(ctx, e, err)
		return ImportStats{}, err
	}
	stats, err := s.store.Import(ctx, src)
	if err != nil {
		s.auditFailure(ctx, e, err)
		return stats, err
	}
	return stats, s.store.Audit(ctx, e)
}
