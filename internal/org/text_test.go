package org

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Văn An":                 "nguyen van an",
		"  ĐẢNG BỘ   Khối các cơ quan ": "dang bo khoi cac co quan",
		"Tam Hồng":                      "tam hong",
		"Bạch Lưu":                      "bach luu",
		"Chi bộ thôn 3, xã Đồng Văn":    "chi bo thon 3 xa dong van",
		"nguyen van an":                 "nguyen van an",
		"Đ":                             "d",
		"":                              "",
		"---":                           "",
		// NFD input (combining marks) folds like NFC input.
		"Nguye\u0302\u0303n": "nguyen",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanName(t *testing.T) {
	got, err := CleanName("tên", "  Chi bộ\u00a0 Thôn  Đông ")
	if err != nil || got != "Chi bộ Thôn Đông" {
		t.Fatalf("CleanName = %q, %v", got, err)
	}
	// NFD in, NFC out.
	if got, _ := CleanName("tên", "Nguye\u0302\u0303n"); got != "Nguyễn" {
		t.Fatalf("CleanName kept NFD: %q", got)
	}
	for _, bad := range []string{"", "   ", string(make([]rune, MaxNameLen+1)), "a\x00b", "\xff"} {
		if _, err := CleanName("tên", bad); ErrorCode(err) != EInvalid {
			t.Errorf("CleanName(%q) error = %v, want %s", bad, err, EInvalid)
		}
	}
}

// FuzzFold checks that the per-rune table folds exactly as the transform
// chain it was computed from, applied to the whole text, and that folding is idempotent.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn An", "đĐ", "a  b", "\xff", "Nguye\u0302\u0303n", "İstanbul ß Æ", "Đảng bộ xã Tam Hồng"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if want := words(keyRunes(foldChain(s))); k != want {
			t.Fatalf("Fold(%q) = %q, the chain folds it to %q", s, k, want)
		}
		if Fold(k) != k {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, k, Fold(k))
		}
	})
}

// FuzzCleanName checks CleanName, whose scan skips the work on names already
// clean, against its definition: valid UTF-8 without control characters,
// NFC, single spaces, trimmed.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn An", " Lê  Thị\tHoa ", "Nguye\u0302\u0303n", "a\x00b", "\xff", "\uFFFD", "Trần\u00a0Bình", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanName("tên", s)
		want := strings.Join(strings.Fields(norm.NFC.String(s)), " ")
		n := utf8.RuneCountInString(want)
		switch {
		case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }):
			if err == nil {
				t.Fatalf("CleanName(%q) = %q, want an error", s, got)
			}
		case n == 0 || n > MaxNameLen:
			if err == nil {
				t.Fatalf("CleanName(%q) = %q, want an error for %d characters", s, got, n)
			}
		case err != nil || got != want:
			t.Fatalf("CleanName(%q) = %q, %v; want %q", s, got, err, want)
		}
	})
}

// TestPlainRunes: a rune the table calls plain is in NFC after any letter a
// Vietnamese name may hold, so CleanName may skip the norm package for it.
func TestPlainRunes(t *testing.T) {
	for r := range rune(len(plainRunes)) {
		if !plainRunes[r] {
			continue
		}
		for _, before := range []string{"a", "e", "o", "u", "y", "A", "ơ", "ư", "ê", "ă", "â", "Đ", "ệ"} {
			if s := before + string(r); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%q (U+%04X after %q) is not in NFC", s, r, before)
			}
		}
	}
	if plainRunes[0x0301] || plainRunes[0x00a0] || !plainRunes['ệ'] || !plainRunes['Đ'] {
		t.Fatal("the table takes the combining acute or a no-break space, or misses a Vietnamese letter")
	}
}
