package org

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Cursors are opaque to clients: the keyset of the last item of a page,
// base64url-encoded, so that a page boundary stays stable while items are
// added or removed elsewhere in the list.
const cursorVersion = "1"

var errBadCursor = Errorf(EInvalid, "con trỏ phân trang (cursor) không hợp lệ")

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + "\x00" + strings.Join(parts, "\x00")))
}

// decodeCursor returns the n parts of a cursor made by encodeCursor, or BAD_USER_INPUT.
func decodeCursor(s string, n int) ([]string, error) {
	if len(s) > 1024 {
		return nil, errBadCursor
	}
	// Strict: a cursor has one spelling, not the variants that differ in
	// unused trailing bits.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, errBadCursor
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n+1 || parts[0] != cursorVersion {
		return nil, errBadCursor
	}
	return parts[1:], nil
}

// AuditCursor is the cursor just after audit entry seq in the newest-first log.
func AuditCursor(seq int64) string { return encodeCursor(strconv.FormatInt(seq, 10)) }

// DecodeAuditCursor is the sequence number an audit cursor points after.
func DecodeAuditCursor(s string) (int64, error) {
	parts, err := decodeCursor(s, 1)
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || seq <= 0 {
		return 0, errBadCursor
	}
	return seq, nil
}

// MemberCursor is the keyset cursor just after member m in a list of members.
func MemberCursor(m *Member) string { return encodeCursor(Fold(m.FullName), m.ID) }

// DecodeMemberCursor returns the folded name and id a member cursor points after.
func DecodeMemberCursor(s string) (key, id string, err error) {
	parts, err := decodeCursor(s, 2)
	if err != nil {
		return "", "", err
	}
	return parts[0], parts[1], nil
}

// BindCursor ties a list's cursor to the connection it pages: conn names the
// field, its parent and every argument that selects the list (filters, date,
// scenario). UnbindCursor refuses a cursor of another connection instead of
// silently paging something else from its key.
func BindCursor(conn, cursor string) string { return encodeCursor(connTag(conn), cursor) }

// UnbindCursor is the list's own cursor inside a cursor BindCursor made for
// conn; empty for none; BAD_USER_INPUT for one made for another connection.
func UnbindCursor(conn string, cursor *string) (string, error) {
	if cursor == nil || *cursor == "" {
		return "", nil
	}
	parts, err := decodeCursor(*cursor, 2)
	if err != nil {
		return "", err
	}
	if parts[0] != connTag(conn) {
		return "", Errorf(EInvalid, "con trỏ phân trang (cursor) thuộc một danh sách khác: hãy dùng con trỏ của chính danh sách này, với cùng tham số")
	}
	return parts[1], nil
}

// Connection names a connection for BindCursor from its parts.
func Connection(parts ...any) string { return fmt.Sprint(parts...) }

func connTag(conn string) string {
	sum := sha256.Sum256([]byte(conn))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// SiblingKey places an organisation among its siblings, the order of
// Org.children and of its cursors: by kind, then folded name, then id.
type SiblingKey struct {
	Kind Kind
	Name string // Fold(Org.Name)
	ID   string
}

// SiblingKeyOf is o's place among its siblings.
func SiblingKeyOf(o *Org) SiblingKey { return SiblingKey{o.Kind, Fold(o.Name), o.ID} }

// Compare orders a before b (-1), after (1) or as the same (0).
func (a SiblingKey) Compare(b SiblingKey) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// ChildCursor is the keyset cursor just after org o among its siblings.
func ChildCursor(o *Org) string { return encodeCursor(o.Kind.String(), Fold(o.Name), o.ID) }

// DecodeChildCursor reads a cursor ChildCursor made.
func DecodeChildCursor(s string) (SiblingKey, error) {
	parts, err := decodeCursor(s, 3)
	if err != nil {
		return SiblingKey{}, err
	}
	k, err := ParseKind(parts[0])
	if err != nil {
		return SiblingKey{}, errBadCursor
	}
	return SiblingKey{k, parts[1], parts[2]}, nil
}
