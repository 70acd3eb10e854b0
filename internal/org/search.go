package org

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SearchType restricts a search to organisations or members.
type SearchType uint8

const (
	SearchOrgs SearchType = iota
	SearchMembers
)

var searchTypes = enumNames[SearchType]{"loại kết quả tìm kiếm", []string{"ORG", "MEMBER"}}

func (t SearchType) String() string { return searchTypes.String(t) }

// Search limits.
const (
	MaxSearchText  = 100 // characters
	DefaultResults = 20
	MaxResults     = 100 // hits on one page
	// MaxSearchHits is how many hits a search ranks: paging ends there,
	// and SearchTotal counts no further. A client wants the best hits of a
	// name, not the 40,000 members called Nguyễn.
	MaxSearchHits = 1000
)

// SearchQuery asks for the best matches of a text among names.
type SearchQuery struct {
	Text   string
	First  int
	Types  []SearchType // empty: both
	Within []string     // only hits in these organisations' subtrees, when set
	// After, for Service.SearchPage, is the hit the page follows.
	After *SearchCursor
}

// SearchKey orders hits: best score first, then folded name, then id, so
// that pages of a search follow one another whatever ties there are.
type SearchKey struct {
	Score float64
	Name  string
	ID    string
}

// Key is the hit's place in the order of hits.
func (h *Hit) Key() SearchKey {
	if h.Org != nil {
		return SearchKey{h.Score, Fold(h.Org.Name), h.Org.ID}
	}
	return SearchKey{h.Score, Fold(h.Member.FullName), h.Member.ID}
}

// Compare orders a before b (-1), after (1) or as the same (0).
func (a SearchKey) Compare(b SearchKey) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// SearchCursor is the keyset cursor just after a hit, with its rank (1 for
// the best), which bounds paging at MaxSearchHits.
type SearchCursor struct {
	Rank int
	Key  SearchKey
}

// Encode is the cursor as clients hold it (inside BindCursor).
func (c SearchCursor) Encode() string {
	return encodeCursor(strconv.Itoa(c.Rank), strconv.FormatFloat(c.Key.Score, 'g', -1, 64), c.Key.Name, c.Key.ID)
}

// DecodeSearchCursor reads a cursor SearchCursor.Encode made.
func DecodeSearchCursor(s string) (*SearchCursor, error) {
	parts, err := decodeCursor(s, 4)
	if err != nil {
		return nil, err
	}
	rank, err := strconv.Atoi(parts[0])
	if err != nil || rank < 1 || rank > MaxSearchHits {
		return nil, errBadCursor
	}
	score, err := strconv.ParseFloat(parts[1], 64)
	if err != nil || math.IsInf(score, 0) || math.IsNaN(score) { // no hit scores so, and NaN orders nowhere
		return nil, errBadCursor
	}
	return &SearchCursor{rank, SearchKey{score, parts[2], parts[3]}}, nil
}

// SearchPage is one page of a search's hits.
type SearchPage struct {
	Hits    []Hit
	Cursors []SearchCursor // of each hit
	HasNext bool
}

// SearchTotal counts a search's hits.
type SearchTotal struct {
	Count int  // the hits paging to the end reads, at most MaxSearchHits
	Exact bool // false when more names match than MaxSearchHits
}

// Wants reports whether the query asks for results of type t.
func (q *SearchQuery) Wants(t SearchType) bool {
	if len(q.Types) == 0 {
		return true
	}
	for _, w := range q.Types {
		if w == t {
			return true
		}
	}
	return false
}

// Hit is one search result: an organisation or a member, with the path from the
// root to the organisation (the member's cell for a member), so that a chart can
// expand and highlight it in one round trip.
type Hit struct {
	Org    *Org
	Member *Member
	Path   []Org
	Score  float64
}

// Matcher scores names against one search text. Matching is on fold keys, so
// case and diacritics never matter, and tokens match in any order.
type Matcher struct {
	key    string
	tokens []string
	// The key with the spaces that make it a prefix, suffix or inner phrase
	// of a name, made once: Score runs on thousands of names per search.
	asPrefix, asSuffix, asInner string
}

// NewMatcher parses a search text; BAD_USER_INPUT when it is empty or too long.
func NewMatcher(text string) (*Matcher, error) {
	if n := utf8.RuneCountInString(text); n > MaxSearchText {
		return nil, Errorf(EInvalid, "nội dung tìm kiếm dài %d ký tự, tối đa %d", n, MaxSearchText)
	}
	key := Fold(text)
	if key == "" {
		return nil, Errorf(EInvalid, "nội dung tìm kiếm không được để trống")
	}
	return &Matcher{key: key, tokens: strings.Fields(key),
		asPrefix: key + " ", asSuffix: " " + key, asInner: " " + key + " "}, nil
}

// Key is the folded search text.
func (m *Matcher) Key() string { return m.key }

// Tokens are the folded words of the search text.
func (m *Matcher) Tokens() []string { return m.tokens }

// Score tiers: a whole-name match beats a prefix, a prefix beats the words in
// order inside the name, which beats the words in any order, then words that
// only start a name word, then words found inside name words.
const (
	tierExact     = 1.0
	tierPrefix    = 0.9
	tierPhrase    = 0.85
	tierTokens    = 0.8
	tierTokenPref = 0.7
	tierSubstring = 0.5
)

// Bonuses within a tier: organisations first, then by how much of the name
// the text covers.
const (
	orgBonus      = 0.05
	coverageBonus = 0.04
)

// Ceilings of the scores of names that match the text less closely: a search
// that holds enough hits above a ceiling need not look at such names.
const (
	// WholeWordsCeiling bounds names in which some word of the text is not a
	// whole word of the name: every higher tier needs all words whole.
	WholeWordsCeiling = tierTokenPref + orgBonus + coverageBonus
	// PrefixCeiling bounds names in which some word of the text starts no
	// word of the name but only lies inside one.
	PrefixCeiling = tierSubstring + orgBonus + coverageBonus
)

// Score rates a folded name; ok is false when the name does not match.
// An organisation is scored on its distinctive part ("tỉnh quảng ninh" and
// "quảng ninh" of "Đảng bộ tỉnh Quảng Ninh"), and on its whole name a tier
// lower, so that the generic words every organisation shares do not outrank a
// person's name. Within a tier organisations come before members, then names
// the text covers more completely.
func (m *Matcher) Score(nameKey string, isOrg bool) (score float64, ok bool) {
	if !isOrg {
		return m.score(nameKey)
	}
	cores, n := orgCores(nameKey)
	for _, core := range cores[:n] {
		if s, matched := m.score(core); matched && s > score {
			score, ok = s, true
		}
	}
	if ok {
		return score + orgBonus, true
	}
	if score, ok = m.score(nameKey); ok && n > 0 {
		score -= 0.1
	}
	return score + orgBonus, ok
}

// MaxScore bounds what Score can give a name: a search that holds enough
// better hits need not score it. It costs a comparison where Score walks the
// name's words.
func (m *Matcher) MaxScore(nameKey string, isOrg bool) float64 {
	switch {
	case isOrg: // scored on its shorter cores too
		return tierExact + coverageBonus + orgBonus
	case nameKey == m.key:
		return m.covered(tierExact, len(nameKey))
	}
	return m.covered(tierPrefix, len(nameKey))
}

// Looseness is how a name's words match the text's at best: each word of
// the text a whole word of the name, some only the start of one, some only
// inside one.
type Looseness uint8

const (
	WholeWords Looseness = iota
	WordStarts
	InsideWords
)

// MaxMemberScore bounds what Score can give a member whose folded name is n
// bytes long, is not the text itself and matches it as loosely as l: a search
// can skip all the names of a length at once.
func (m *Matcher) MaxMemberScore(n int, l Looseness) float64 {
	return m.covered([...]float64{tierPrefix, tierTokenPref, tierSubstring}[l], n)
}

// covered is a tier's score for a name of n bytes: the more of it the text
// covers, the higher. Bounds and scores share it so as to round alike.
func (m *Matcher) covered(tier float64, n int) float64 {
	return tier + coverageBonus*float64(len(m.key))/float64(n)
}

// genericPrefixes are the leading words of organisation names that say what
// kind of body it is rather than which one, longest first.
var genericPrefixes = []string{
	"dang bo bo phan ", "chi bo co so ", "dang bo co so ", "dang bo ", "chi bo ", "dang uy ",
}

// adminWords name the kind of administrative unit that follows them.
var adminWords = []string{"thanh pho ", "thi tran ", "thi xa ", "xa ", "phuong ", "huyen ", "tinh ", "quan "}

// orgCores are the distinctive parts of an organisation's folded name: without
// its generic leading words, and also without the administrative word after
// them, since users type either ("tinh quang ninh", "quang ninh").
func orgCores(key string) (cores [2]string, n int) {
	core := key
	for _, p := range genericPrefixes {
		if rest, ok := strings.CutPrefix(core, p); ok && rest != "" {
			cores[n], n, core = rest, n+1, rest
			break
		}
	}
	for _, p := range adminWords {
		if rest, ok := strings.CutPrefix(core, p); ok && rest != "" {
			cores[n], n = rest, n+1
			break
		}
	}
	return cores, n
}

func (m *Matcher) score(nameKey string) (score float64, ok bool) {
	switch {
	case nameKey == m.key:
		score = tierExact
	case strings.HasPrefix(nameKey, m.asPrefix):
		score = tierPrefix
	case strings.HasSuffix(nameKey, m.asSuffix) || strings.Contains(nameKey, m.asInner):
		score = tierPhrase
	default:
		if score, ok = m.tokenTier(nameKey); !ok {
			return 0, false
		}
	}
	return m.covered(score, len(nameKey)), true
}

// tokenTier matches every query token to a distinct word of the name, each to
// its best word, and returns the tier of the weakest match. It walks the words
// of the key in place; a name has far fewer than 64 words.
func (m *Matcher) tokenTier(nameKey string) (float64, bool) {
	var used uint64
	tier := tierTokens
	for _, tok := range m.tokens {
		best, bestTier := -1, 0.0
		rest := nameKey
		for i := 0; rest != ""; i++ {
			var w string
			w, rest, _ = strings.Cut(rest, " ")
			if used&(1<<(i%64)) != 0 {
				continue
			}
			var t float64
			switch {
			case w == tok:
				t = tierTokens
			case strings.HasPrefix(w, tok):
				t = tierTokenPref
			case strings.Contains(w, tok):
				t = tierSubstring
			default:
				continue
			}
			if t > bestTier {
				best, bestTier = i, t
			}
		}
		if best < 0 {
			return 0, false
		}
		used |= 1 << (best % 64)
		tier = min(tier, bestTier)
	}
	return tier, true
}
