package org

import (
	"errors"
	"fmt"
)

// Error codes, one per way a request can fail; the GraphQL layer reports them
// as extensions.code.
const (
	EInvalid       = "BAD_USER_INPUT"
	ENotFound      = "NOT_FOUND"
	EConflict      = "CONFLICT"
	ERule          = "RULE_VIOLATION"
	EUnauthorized  = "UNAUTHENTICATED"
	EForbidden     = "FORBIDDEN"
	EInternal      = "INTERNAL"
	EUnavailable   = "UNAVAILABLE"
	ELimitExceeded = "LIMIT_EXCEEDED"
)

// Error is a failure a caller can act on: its message is written for the user
// and never carries internals. Rule names the Charter rule a RULE_VIOLATION breaks.
type Error struct {
	Code    string
	Message string
	Rule    string
	Basis   string // legal basis of the rule, e.g. "Điều lệ Đảng, Điều 24"
}

func (e *Error) Error() string {
	if e.Rule != "" {
		return e.Rule + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of err: an *Error's own, INTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage is what a user may be told about err: an *Error's message, a
// fixed sentence for anything else so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Lỗi nội bộ của máy chủ."
}

// What the errors of a store name, in Vietnamese: every store words its
// errors with NotFound, Stale and ErrNotEmpty, so that all answer alike.
const (
	WhatOrg      = "tổ chức"
	WhatMember   = "đảng viên"
	WhatScenario = "phương án"
)

// NotFound is the error for an id that does not exist (or is not visible).
func NotFound(what, id string) *Error {
	return Errorf(ENotFound, "không tìm thấy %s %q", what, id)
}

// Stale is the CONFLICT of a write built on a read of the record that
// another write has since changed: read it again and retry.
func Stale(what, id string) *Error {
	return Errorf(EConflict, "%s %q vừa được người khác thay đổi; hãy tải lại và thử lại.", what, id)
}

// ErrNotEmpty is the CONFLICT of an import into a store that holds data.
var ErrNotEmpty = Errorf(EConflict, "kho dữ liệu đã có dữ liệu; chỉ nhập được vào kho trống.")

// Prefixed is err with prefix before its message, its code and rule kept:
// which part of a larger request failed.
func Prefixed(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Message = prefix + ": " + e.Message
	return &out
}
