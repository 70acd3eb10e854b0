package org

import "testing"

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
// chain it was computed from, and that folding is idempotent.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn An", "đĐ", "a  b", "\xff", "Nguye\u0302\u0303n", "İstanbul ß Æ", "Đảng bộ xã Tam Hồng"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if byTable, ok := foldByTable(s); ok && byTable != foldChain(s) {
			t.Fatalf("table folds %q to %q, the chain to %q", s, byTable, foldChain(s))
		}
		k := Fold(s)
		if Fold(k) != k {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, k, Fold(k))
		}
	})
}
