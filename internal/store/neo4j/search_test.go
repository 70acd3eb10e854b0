package neo4j

import (
	"reflect"
	"slices"
	"testing"

	"dangbo/internal/org"
)

// cannedSearch answers the full-text statements with the given candidates,
// as the index would: ids and folded names, and each member's cell.
func cannedSearch(f *fakeDB, orgs, members []row) {
	f.answer["search_orgs"] = func(map[string]any) []row { return orgs }
	f.answer["search_members"] = func(map[string]any) []row { return members }
}

func TestSearchRanksCandidatesWithMatcher(t *testing.T) {
	s, f := loaded(t)
	cannedSearch(f,
		[]row{{"id": "gc", "nameKey": "dang uy xa tam hong"}},
		[]row{
			{"id": "m4", "nameKey": "pham thi dung", "cellId": "c2"}, // Lucene's fuzzier match: Matcher rejects it
			{"id": "m1", "nameKey": "nguyen van an", "cellId": "c1"},
			{"id": "m3", "nameKey": "le van cuong", "cellId": "c2"},
		})
	hits, err := s.Search(ctx, now(), org.SearchQuery{Text: "Văn", First: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Member == nil || hits[1].Member == nil {
		t.Fatalf("hits %+v", hits)
	}
	// Both match "van" as a whole word inside the name; the shorter name is covered more.
	if hits[0].Member.ID != "m3" || hits[1].Member.ID != "m1" || !(hits[0].Score > hits[1].Score) {
		t.Fatalf("order %s %v, %s %v", hits[0].Member.ID, hits[0].Score, hits[1].Member.ID, hits[1].Score)
	}
	var path []string
	for _, o := range hits[0].Path {
		path = append(path, o.ID)
	}
	if !slices.Equal(path, []string{"p", "d", "gc", "c2"}) || hits[0].Path[0].Counts != provinceCounts {
		t.Fatalf("path %v", hits[0].Path)
	}
	want := map[string]any{"query": "+(van^4 van*^2 *van*)", "at": dateParam(today), "within": nil, "limit": int64(candidates)}
	for _, name := range []string{"search_orgs", "search_members"} {
		if p := f.only(name)[0].params; !reflect.DeepEqual(p, want) {
			t.Fatalf("%s params %v", name, p)
		}
	}
	if got := f.names(); !slices.Equal(got, []string{"search_orgs", "search_members", "paths_at", "org_records", "member_records"}) {
		t.Fatalf("statements %v", got)
	}
}

func TestSearchOrgsWithinASubtree(t *testing.T) {
	s, f := loaded(t)
	cannedSearch(f, []row{{"id": "gc", "nameKey": "dang uy xa tam hong"}}, nil)
	hits, err := s.Search(ctx, now(), org.SearchQuery{Text: "tam hồng", First: 150, Within: []string{"d"}, Types: []org.SearchType{org.SearchOrgs}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Org == nil || hits[0].Org.ID != "gc" || hits[0].Org.Counts != communeCounts || len(hits[0].Path) != 3 {
		t.Fatalf("hits %+v", hits)
	}
	if len(f.only("search_members")) != 0 {
		t.Fatal("searched members when only organisations were asked for")
	}
	// first is capped at org.MaxResults, and 20 candidates are taken a hit.
	p := f.only("search_orgs")[0].params
	if !slices.Equal(p["within"].([]string), []string{"d"}) || p["query"] != `+(tam^4 tam*^2 *tam*) +(hong^4 hong*^2 *hong*) "tam hong"^8` || p["limit"] != int64(candidates) {
		t.Fatalf("params %v", p)
	}
	_, err = s.Search(ctx, now(), org.SearchQuery{Text: "tam", First: 5, Within: []string{"nope"}})
	wantCode(t, err, org.ENotFound)
	_, err = s.Search(ctx, now(), org.SearchQuery{Text: " ,; ", First: 5})
	wantCode(t, err, org.EInvalid)
}

func TestSearchAsOfADate(t *testing.T) {
	s, f := loaded(t)
	cannedSearch(f, []row{{"id": "gc", "nameKey": "dang uy xa tam hong cu"}}, nil)
	early := org.DateFrom(2020, 3, 1)
	hits, err := s.Search(ctx, org.View{At: early}, org.SearchQuery{Text: "tam hong cu", First: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Org.Name != "Đảng ủy xã Tam Hồng (cũ)" || hits[0].Path[0].Counts.Probationary != 0 {
		t.Fatalf("hits %+v", hits)
	}
	if p := f.only("search_orgs")[0].params; p["at"] != dateParam(early) {
		t.Fatalf("params %v", p)
	}
	if p := f.only("org_records")[0].params; p["at"] != dateParam(early) {
		t.Fatalf("organisations read with their counts on %v, want %s", p["at"], early)
	}
}

func TestLuceneQuery(t *testing.T) {
	for _, tc := range []struct {
		tokens []string
		want   string
	}{
		{[]string{"an"}, "+(an^4 an*^2 *an*)"},
		{[]string{"nguyen", "an"}, `+(nguyen^4 nguyen*^2 *nguyen*) +(an^4 an*^2 *an*) "nguyen an"^8`},
		{[]string{`a+b`, `c"d`}, `+(a\+b^4 a\+b*^2 *a\+b*) +(c\"d^4 c\"d*^2 *c\"d*) "a\+b c\"d"^8`},
	} {
		if got := luceneQuery(tc.tokens); got != tc.want {
			t.Errorf("luceneQuery(%q) = %s, want %s", tc.tokens, got, tc.want)
		}
	}
	if got := luceneEscape(`\+-!():^[]"{}~*?|&/ x`); got != `\\\+\-\!\(\)\:\^\[\]\"\{\}\~\*\?\|\&\/\ x` {
		t.Errorf("luceneEscape = %s", got)
	}
}
