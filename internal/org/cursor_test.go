package org

import (
	"testing"
)

// FuzzCursors feeds arbitrary text to every cursor decoder: a cursor comes
// from a client, so any input must give a value or BAD_USER_INPUT, never a
// panic, and what a decoder accepts must encode back to the same cursor.
func FuzzCursors(f *testing.F) {
	o := Org{ID: "o123", Name: "Chi bộ thôn Đông", Kind: Cell}
	m := Member{ID: "m9", FullName: "Nguyễn Văn An"}
	for _, seed := range []string{ChildCursor(&o), MemberCursor(&m), AuditCursor(42), "", "!!", "MQ", "MQBDRUxM"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := DecodeChildCursor(s); err == nil {
			if got := encodeCursor(k.Kind.String(), k.Name, k.ID); got != s {
				t.Fatalf("child cursor %q decodes to %+v, which encodes to %q", s, k, got)
			}
		} else if ErrorCode(err) != EInvalid {
			t.Fatalf("child cursor %q: %v", s, err)
		}
		if key, id, err := DecodeMemberCursor(s); err == nil {
			if got := encodeCursor(key, id); got != s {
				t.Fatalf("member cursor %q decodes to %q %q, which encode to %q", s, key, id, got)
			}
		} else if ErrorCode(err) != EInvalid {
			t.Fatalf("member cursor %q: %v", s, err)
		}
		if seq, err := DecodeAuditCursor(s); err == nil && seq <= 0 {
			t.Fatalf("audit cursor %q decodes to %d", s, seq)
		} else if err != nil && ErrorCode(err) != EInvalid {
			t.Fatalf("audit cursor %q: %v", s, err)
		}
	})
}
