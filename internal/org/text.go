package org

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxNameLen bounds organisation and member names, in characters.
const MaxNameLen = 200

// CleanName returns a name in NFC with surrounding space trimmed and inner runs
// of space collapsed, or BAD_USER_INPUT if it is empty or too long.
func CleanName(what, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(EInvalid, "%s không phải văn bản UTF-8 hợp lệ", what)
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", Errorf(EInvalid, "%s không được để trống", what)
	case n > MaxNameLen:
		return "", Errorf(EInvalid, "%s dài %d ký tự, tối đa %d", what, n, MaxNameLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", Errorf(EInvalid, "%s chứa ký tự điều khiển", what)
		}
	}
	return s, nil
}

// folders strips diacritics and case. A transform.Chain keeps state, so each
// goroutine takes its own from the pool.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFC)
}}

// Fold is the search key of a text: lower case, without diacritics, đ as d,
// words of letters and digits separated by single spaces. "Nguyễn Văn Đức" and
// "nguyen van duc" fold to the same key.
func Fold(s string) string {
	if isFolded(s) {
		return s
	}
	t := folders.Get().(transform.Transformer)
	out, _, err := transform.String(t, s)
	folders.Put(t)
	if err != nil {
		out = strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(out))
	space := false
	for _, r := range out {
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isFolded reports whether s is already a fold key, so that ASCII queries skip the transform.
func isFolded(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace && i != len(s)-1:
			prevSpace = true
		default:
			return false
		}
	}
	return true
}
