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
// of space collapsed, or BAD_USER_INPUT if it is empty, too long or holds
// control characters. A name that is already clean (nearly every name in an
// imported dataset) is checked in one pass and returned as it is.
func CleanName(what, s string) (string, error) {
	n, clean, ok := scanName(s)
	if !ok {
		return "", Errorf(EInvalid, "%s chứa ký tự điều khiển hoặc không phải văn bản UTF-8 hợp lệ", what)
	}
	if !clean {
		s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
		n = utf8.RuneCountInString(s)
	}
	switch {
	case n == 0:
		return "", Errorf(EInvalid, "%s không được để trống", what)
	case n > MaxNameLen:
		return "", Errorf(EInvalid, "%s dài %d ký tự, tối đa %d", what, n, MaxNameLen)
	}
	return s, nil
}

// scanName counts the runes of s and reports whether it is already clean (NFC,
// no space at either end, single spaces between words) and whether it is
// acceptable at all (valid UTF-8 without control characters other than the
// white space that cleaning turns into spaces).
func scanName(s string) (n int, clean, ok bool) {
	clean, plain := s != "" && s[0] != ' ' && s[len(s)-1] != ' ', true
	prevSpace := false
	for i := 0; i < len(s); n++ {
		// Most of a Vietnamese name is ASCII letters, and the rest letters
		// the table knows: only other runes are looked up in Unicode's tables.
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if c > ' ' && c != 0x7f {
				prevSpace = false
				continue
			}
			if c != ' ' && (c < '\t' || c > '\r') {
				return n, false, false
			}
			clean = clean && c == ' ' && !prevSpace
			prevSpace = true
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < rune(len(plainRunes)) && plainRunes[r] {
			prevSpace = false
			continue
		}
		if r == utf8.RuneError && size == 1 {
			return n, false, false
		}
		plain = false
		switch {
		case unicode.IsSpace(r):
			clean, prevSpace = false, true
		case unicode.IsControl(r):
			return n, false, false
		default:
			prevSpace = false
		}
	}
	return n, clean && (plain || norm.NFC.IsNormalString(s)), true
}

// plainRunes marks the runes below U+1F00 (Latin, with Vietnamese's letters)
// that are neither space nor control, that NFC leaves as they are and that
// never combine with what precedes them: a name made of those and ASCII is
// in NFC without asking the norm package, which costs more than the rest of
// checking a name.
var plainRunes = func() (t [0x1F00]bool) {
	for r := range rune(len(t)) {
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		t[r] = utf8.ValidRune(r) && !unicode.IsSpace(r) && !unicode.IsControl(r) &&
			p.CCC() == 0 && p.BoundaryBefore() && norm.NFC.IsNormalString(s)
	}
	return t
}()

// folders strips diacritics and case. A transform.Chain keeps state, so each
// goroutine takes its own from the pool.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFC)
}}

// foldRanges are the Unicode blocks Vietnamese text is written in: Latin-1,
// Latin Extended-A and -B, the combining diacritics (for text in NFD) and
// Latin Extended Additional, where the letters with two diacritics live.
var foldRanges = [][2]rune{{0, 0x24f}, {0x300, 0x36f}, {0x1e00, 0x1eff}}

// foldTable holds, for each rune of foldRanges, what Fold makes of it: the
// transform chain's output with đ as d and every rune that is neither letter
// nor digit as a space. It is computed once by the chain itself, so folding a
// name is one lookup per rune; names in other scripts still go through the
// chain.
var foldTable, foldKnown = func() (t [0x1f00]string, known [0x1f00]bool) {
	for _, r := range foldRanges {
		for c := r[0]; c <= r[1]; c++ {
			t[c], known[c] = keyRunes(foldChain(string(c))), true
		}
	}
	return t, known
}()

func foldChain(s string) string {
	t := folders.Get().(transform.Transformer)
	out, _, err := transform.String(t, s)
	folders.Put(t)
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// keyRunes maps đ to d and every rune that is neither letter nor digit to a
// space: what separates the words of a key.
func keyRunes(folded string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 'đ' || r == 'Đ':
			return 'd'
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return ' '
		}
		return r
	}, folded)
}

// Fold is the search key of a text: lower case, without diacritics, đ as d,
// words of letters and digits separated by single spaces. "Nguyễn Văn Đức" and
// "nguyen van duc" fold to the same key.
func Fold(s string) string {
	if isFolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r >= rune(len(foldKnown)) || !foldKnown[r] {
			return words(keyRunes(foldChain(s)))
		}
		// A space is an ASCII byte, never part of a longer rune's bytes.
		for _, c := range []byte(foldTable[r]) {
			switch {
			case c == ' ':
				space = b.Len() > 0
				continue
			case space:
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// words joins the words of s with single spaces.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

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
