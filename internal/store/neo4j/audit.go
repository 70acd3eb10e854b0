package neo4j

import (
	"context"
	"time"

	"dangbo/internal/org"
)

// Audit records the transaction's action; it is written when the
// transaction commits, with its records.
func (t *updateTx) Audit(_ context.Context, e org.AuditEntry) error {
	t.audit = append(t.audit, e)
	return nil
}

// Audit appends an entry to the audit log in a transaction of its own.
func (s *Store) Audit(ctx context.Context, e org.AuditEntry) error {
	return s.write(ctx, func(q querier) error { return writes{audit: []org.AuditEntry{e}}.run(ctx, q) })
}

// AuditLog lists the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, aq org.AuditQuery) (org.AuditPage, error) {
	var page org.AuditPage
	err := s.read(ctx, func(q querier) error {
		var before any
		if aq.Before > 0 {
			before = aq.Before
		}
		recs, err := run(ctx, q, "audit_log", map[string]any{"before": before, "limit": int64(aq.First + 1)})
		if err != nil {
			return err
		}
		var d decoder
		page = org.AuditPage{}
		for _, rec := range recs {
			r := rec.AsMap()
			e := org.AuditEntry{Seq: d.integer(r, "seq"), Subject: d.str(r, "subject"), Address: d.str(r, "address"),
				Action: d.str(r, "action"), Target: d.str(r, "target"), Outcome: d.str(r, "outcome")}
			if at, ok := get[time.Time](&d, r, "at", "a date and time"); ok {
				e.At = at.UTC()
			}
			for _, name := range d.strings(r, "roles") {
				role, err := org.ParseAccessRole(name)
				if err != nil {
					return err
				}
				e.Roles = append(e.Roles, role)
			}
			page.Entries = append(page.Entries, e)
		}
		if len(page.Entries) > aq.First {
			page.Entries, page.HasNext = page.Entries[:aq.First], true
		}
		return d.err
	})
	return page, err
}

// AuditCount is how many entries the audit log holds (Neo4j's count store
// answers it without reading them).
func (s *Store) AuditCount(ctx context.Context) (int, error) {
	var n int64
	err := s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, "audit_count", nil)
		if err != nil || len(recs) == 0 {
			return err
		}
		var d decoder
		n = d.integer(recs[0].AsMap(), "total")
		return d.err
	})
	return int(n), err
}
