package org_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// auditFails is a store whose audit log refuses every entry.
type auditFails struct{ org.Store }

func (auditFails) Audit(context.Context, org.AuditEntry) error { return errors.New("the disk is full") }

// TestServiceLogsThroughItsLogger: a failed action the service cannot audit
// is logged through the logger it was given (the command's, in its format),
// not slog's default one.
func TestServiceLogsThroughItsLogger(t *testing.T) {
	store, err := memory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var buf, def bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&def, nil)))
	svc := org.NewService(auditFails{store}, nil)
	svc.SetLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := svc.CreateMember(ctx, org.NewMember{CellID: "nosuchcell", FullName: "Nguyễn Văn A"}); err == nil {
		t.Fatal("a member joined a cell that does not exist")
	}
	if !strings.Contains(buf.String(), `"msg":"recording a failed action in the audit log"`) || def.Len() != 0 {
		t.Fatalf("the service's logger got %q, the default %q", buf.String(), def.String())
	}
}
