package org

import (
	"strings"
	"testing"
)

func TestAuditTargetBounded(t *testing.T) {
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = strings.Repeat("x", 1000)
	}
	got := auditTarget(ids)
	if len(got) > 4096 || !strings.HasSuffix(got, " …(+980)") || !strings.HasPrefix(got, strings.Repeat("x", auditKeptPrefix)+"…[sha256:") {
		t.Fatalf("%d bytes: %.200s … %s", len(got), got, got[max(0, len(got)-40):])
	}
	if got := auditTarget([]string{"o1", "o2"}); got != "o1 o2" {
		t.Fatalf("short ids changed: %q", got)
	}
}
