package org

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestMatcherRanking(t *testing.T) {
	type cand struct {
		name  string
		isOrg bool
	}
	rank := func(text string, cands ...cand) []string {
		m, err := NewMatcher(text)
		if err != nil {
			t.Fatal(err)
		}
		type scored struct {
			name  string
			score float64
		}
		var got []scored
		for _, c := range cands {
			if s, ok := m.Score(Fold(c.name), c.isOrg); ok {
				got = append(got, scored{c.name, s})
			}
		}
		sort.SliceStable(got, func(i, j int) bool { return got[i].score > got[j].score })
		names := make([]string, len(got))
		for i, g := range got {
			names[i] = g.name
		}
		return names
	}
	got := rank("van an nguyen",
		cand{"Nguyễn Văn Toàn", false}, cand{"Nguyễn Văn Anh", false}, cand{"Nguyễn Văn An", false},
		cand{"Trần Thị Bình", false})
	want := []string{"Nguyễn Văn An", "Nguyễn Văn Anh", "Nguyễn Văn Toàn"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("any-order tokens: %v, want %v", got, want)
	}
	got = rank("nguyen van an", cand{"Nguyễn Văn An Bình", false}, cand{"Nguyễn Văn An", false}, cand{"Lê Nguyễn Văn An", false})
	if got[0] != "Nguyễn Văn An" || got[1] != "Nguyễn Văn An Bình" || got[2] != "Lê Nguyễn Văn An" {
		t.Fatalf("exact > prefix > phrase: %v", got)
	}
	got = rank("tam hong", cand{"Trần Tâm Hồng", false}, cand{"Đảng bộ xã Tam Hồng", true}, cand{"Chi bộ Trường Tiểu học Tam Hồng", true})
	if got[0] != "Đảng bộ xã Tam Hồng" || got[2] != "Trần Tâm Hồng" {
		t.Fatalf("organisations first within a tier: %v", got)
	}
	if got := rank("xyz", cand{"Nguyễn Văn An", false}); len(got) != 0 {
		t.Fatalf("non-match matched: %v", got)
	}
	for _, bad := range []string{"", "  ", "!!!", string(make([]byte, MaxSearchText+1))} {
		if _, err := NewMatcher(bad); ErrorCode(err) != EInvalid {
			t.Errorf("NewMatcher(%q) = %v", bad, err)
		}
	}
}

func TestMatcherOrgCore(t *testing.T) {
	m, _ := NewMatcher("tam hong")
	commune, _ := m.Score(Fold("Đảng bộ xã Tam Hồng"), true)
	school, _ := m.Score(Fold("Chi bộ Trường Tiểu học Tam Hồng"), true)
	person, _ := m.Score(Fold("Trần Tâm Hồng"), false)
	if !(commune > school && school > person) || commune < tierExact {
		t.Fatalf("commune %.3f, school %.3f, person %.3f", commune, school, person)
	}
	m, _ = NewMatcher("đặng hồng")
	org, _ := m.Score(Fold("Đảng bộ xã Tam Hồng"), true)
	person, _ = m.Score(Fold("Đặng Thị Hồng"), false)
	if !(person > org) {
		t.Fatalf("a match on generic words outranks a person: org %.3f, person %.3f", org, person)
	}
	// Users type the administrative word or leave it out; either way the
	// province ranks above bodies that merely carry its name.
	for _, text := range []string{"tinh quang ninh", "quang ninh"} {
		m, _ = NewMatcher(text)
		province, _ := m.Score(Fold("Đảng bộ tỉnh Quảng Ninh"), true)
		for _, other := range []string{"Đảng bộ Quân sự tỉnh Quảng Ninh", "Đảng bộ Bưu điện tỉnh Quảng Ninh", "Chi bộ Báo Quảng Ninh"} {
			if s, _ := m.Score(Fold(other), true); s >= province {
				t.Errorf("%q: %q scores %.3f, the province %.3f", text, other, s, province)
			}
		}
	}
	m, _ = NewMatcher("dang bo xa tam hong")
	if s, ok := m.Score(Fold("Đảng bộ xã Tam Hồng"), true); !ok || s < tierPrefix {
		t.Fatalf("whole name = %.3f, %v", s, ok)
	}
}

// TestCeilings: a name that lacks some word of the text as a whole word never
// scores above WholeWordsCeiling, one that lacks it even as a word's start
// never above PrefixCeiling; the stores rely on both to stop early.
func TestCeilings(t *testing.T) {
	names := []string{"Nguyễn Văn Anh", "Nguyễn Vân Toàn", "Đảng bộ xã Tân An", "Chi bộ thôn Vàng Danh",
		"Trần Văn Annh", "Đảng bộ phường Văn An Nguyễn", "Nguyễn Văn Ang", "Vạn Ninh", "Nguyễn Vănan", "Lê Văn Toan",
		"Nguyễn Văn An", "Văn An", "Đảng bộ xã An"}
	for _, text := range []string{"nguyen van an", "van an", "an", "nguyen", "tan", "vang danh"} {
		m, _ := NewMatcher(text)
		for _, name := range names {
			for _, isOrg := range []bool{true, false} {
				key := Fold(name)
				score, ok := m.Score(key, isOrg)
				words := strings.Fields(key)
				if ok && !all(m.Tokens(), words, func(w, t string) bool { return w == t }) && score > WholeWordsCeiling {
					t.Errorf("%q for %q (org %v) scores %.3f above %.3f", name, text, isOrg, score, WholeWordsCeiling)
				}
				if ok && !all(m.Tokens(), words, strings.HasPrefix) && score > PrefixCeiling {
					t.Errorf("%q for %q (org %v) scores %.3f above %.3f", name, text, isOrg, score, PrefixCeiling)
				}
				if max := m.MaxScore(key, isOrg); ok && score > max {
					t.Errorf("%q for %q (org %v) scores %.3f above its bound %.3f", name, text, isOrg, score, max)
				}
			}
		}
	}
}

// all reports whether every token matches some word.
func all(tokens, words []string, match func(word, token string) bool) bool {
	for _, tok := range tokens {
		if !slices.ContainsFunc(words, func(w string) bool { return match(w, tok) }) {
			return false
		}
	}
	return true
}

// FuzzMaxScore: no name scores above the bound a search prunes with.
func FuzzMaxScore(f *testing.F) {
	f.Add("nguyen van an", "Nguyễn Văn An", false)
	f.Add("tinh quang ninh", "Đảng bộ tỉnh Quảng Ninh", true)
	f.Add("an", "Chi bộ thôn An Lạc", true)
	f.Fuzz(func(t *testing.T, text, name string, isOrg bool) {
		m, err := NewMatcher(text)
		if err != nil {
			return
		}
		key := Fold(name)
		if score, ok := m.Score(key, isOrg); ok && score > m.MaxScore(key, isOrg) {
			t.Fatalf("%q for %q (org %v) scores %v above its bound %v", name, text, isOrg, score, m.MaxScore(key, isOrg))
		}
	})
}
