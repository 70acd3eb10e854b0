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
	clean, ascii, prev := s != "" && s[0] != ' ' && s[len(s)-1] != ' ', true, rune(0)
	stable := true
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		// Most of a Vietnamese name is ASCII: only the rest is decoded and
		// looked up in Unicode's tables.
		space, control := r == ' ' || '\t' <= r && r <= '\r', r < ' ' || r == 0x7f
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return n, false, false
			}
			ascii, space, control = false, unicode.IsSpace(r), unicode.IsControl(r)
			stable = stable && r < rune(len(nfcStable)) && nfcStable[r]
		}
		if control && !space {
			return n, false, false
		}
		if space && (r != ' ' || prev == ' ') {
			clean = false
		}
		n, prev, i = n+1, r, i+size
	}
	return n, clean && (ascii || stable || norm.NFC.IsNormalString(s)), true
}

// nfcStable marks the runes below U+1F00 (Latin, with Vietnamese's letters)
// that NFC leaves as they are and that never combine with what precedes
// them: a name made of those and ASCII is in NFC without asking the norm
// package, which costs more than the rest of checking a name.
var nfcStable = func() (t [0x1F00]bool) {
	for r := range rune(len(t)) {
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		t[r] = utf8.ValidRune(r) && p.CCC() == 0 && p.BoundaryBefore() && norm.NFC.IsNormalString(s)
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

// foldTable holds what the transform chain makes of each rune of foldRanges,
// computed once by the chain itself: folding a name is then one lookup per
// rune, and names in other scripts still go through the chain.
var foldTable = func() map[rune]string {
	t := map[rune]string{}
	for _, r := range foldRanges {
		for c := r[0]; c <= r[1]; c++ {
			t[c] = foldChain(string(c))
		}
	}
	return t
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

// Fold is the search key of a text: lower case, without diacritics, đ as d,
// words of letters and digits separated by single spaces. "Nguyễn Văn Đức" and
// "nguyen van duc" fold to the same key.
func Fold(s string) string {
	if isFolded(s) {
		return s
	}
	folded, ok := foldByTable(s)
	if !ok {
		folded = foldChain(s)
	}
	var b strings.Builder
	b.Grow(len(folded))
	space := false
	for _, r := range folded {
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

// foldByTable folds s rune by rune through foldTable; false if s has a rune
// outside it or is not valid UTF-8.
func foldByTable(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		f, ok := foldTable[r]
		if !ok {
			return "", false
		}
		b.WriteString(f)
	}
	return b.String(), true
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
