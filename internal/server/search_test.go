package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// searchPage is one page of `search` as a client reads it.
type searchPage struct {
	Search struct {
		TotalCount        int
		TotalCountIsExact bool
		Edges             []struct {
			Cursor string
			Score  float64
			Node   struct{ ID string }
			Path   []struct{ ID string }
		}
		Nodes    []struct{ ID string }
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
	}
}

const searchPageQuery = `query($t: String!, $f: Int, $a: String) { search(text: $t, first: $f, after: $a) {
	totalCount totalCountIsExact edges { cursor score node { ... on Org { id } ... on Member { id } } path { id } }
	nodes { ... on Org { id } ... on Member { id } } pageInfo { hasNextPage endCursor } } }`

// TestSearchConnection: search is a Relay connection: paging by its cursors
// to the end reads, for any caller, the hits one page of them all gives, in
// the same order, as many as totalCount says on every page; nodes are the
// edges' nodes; a cursor of another search is refused.
func TestSearchConnection(t *testing.T) {
	w := newAccessWorld(t)
	ctx := org.WithPrincipal(context.Background(), org.System)
	// Names that tie, in cells inside and outside the commune.
	for i, cell := range []string{w.village, w.village2, w.school, w.agencyCell, w.village, w.agencyCell, w.school} {
		for _, name := range []string{"Nguyễn Văn An", "Nguyễn Thị An", "Trần Văn Nguyên"} {
			if _, err := w.s.svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: name, Status: org.Probationary}); err != nil {
				t.Fatalf("member %d: %v", i, err)
			}
		}
	}
	for caller, token := range map[string]string{
		"admin":          w.mint([]org.AccessRole{org.Admin}),
		"commune viewer": w.mint([]org.AccessRole{org.Viewer}, w.commune),
		"bloc viewer":    w.mint([]org.AccessRole{org.Viewer}, w.bloc),
	} {
		for _, text := range []string{"nguyen", "an", "tam hong", "khong co"} {
			var all searchPage
			w.s.data(w.ask(token, searchPageQuery, map[string]any{"t": text, "f": 100}), &all)
			var ids []string
			for _, e := range all.Search.Edges {
				ids = append(ids, e.Node.ID)
			}
			var paged []string
			after := any(nil)
			for pages := 0; ; pages++ {
				var p searchPage
				w.s.data(w.ask(token, searchPageQuery, map[string]any{"t": text, "f": 2, "a": after}), &p)
				if p.Search.TotalCount != len(ids) || !p.Search.TotalCountIsExact || len(p.Search.Nodes) != len(p.Search.Edges) || pages > len(ids) {
					t.Fatalf("%s, %q: page %d %+v; one page of all holds %d", caller, text, pages, p.Search, len(ids))
				}
				for i, e := range p.Search.Edges {
					if p.Search.Nodes[i].ID != e.Node.ID {
						t.Fatalf("%s, %q: nodes %+v, edges %+v", caller, text, p.Search.Nodes, p.Search.Edges)
					}
					paged = append(paged, e.Node.ID)
				}
				if !p.Search.PageInfo.HasNextPage {
					break
				}
				after = p.Search.PageInfo.EndCursor
			}
			if !slices.Equal(paged, ids) {
				t.Errorf("%s, %q: paging read %v, one page of all %v", caller, text, paged, ids)
			}
		}
	}

	admin := w.mint([]org.AccessRole{org.Admin})
	var p searchPage
	w.s.data(w.ask(admin, searchPageQuery, map[string]any{"t": "nguyen", "f": 1}), &p)
	if r := w.ask(admin, searchPageQuery, map[string]any{"t": "an", "f": 1, "a": p.Search.PageInfo.EndCursor}); outcome(r) != org.EInvalid {
		t.Fatalf("the cursor of another search: %s", fmt.Sprint(r.Errors))
	}
}

// TestSearchCursorsBelongToTheirSearch: a cursor pages only the search it
// came from. For generated pairs of searches, a cursor of one is accepted by
// the other iff they are the same search (text, types, within, asOf,
// scenario and caller); a cursor whose score is not a finite number is
// refused, in Vietnamese, however well formed otherwise.
func TestSearchCursorsBelongToTheirSearch(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.mint([]org.AccessRole{org.Admin})
	var created struct{ CreateScenario struct{ ID string } }
	w.s.token = admin
	w.s.data(w.s.post(`mutation($d: ID!) { createScenario(name: "Thử con trỏ", within: $d) { id } }`,
		map[string]any{"d": w.district}), &created)
	tokens := []string{admin, w.mint([]org.AccessRole{org.Admin}), w.mint([]org.AccessRole{org.Viewer}, w.district)}
	type search struct {
		text, types, within, asOf, scenario any
		caller                              int
	}
	choices := struct{ text, types, within, asOf, scenario []any }{
		text:     []any{"nguyen", "tam hong", "an"},
		types:    []any{nil, []string{"ORG"}, []string{"MEMBER"}, []string{"ORG", "MEMBER"}},
		within:   []any{nil, w.district, w.commune},
		asOf:     []any{nil, "2024-01-01"},
		scenario: []any{nil, created.CreateScenario.ID},
	}
	const query = `query($t: String!, $a: String, $ty: [SearchType!], $w: ID, $d: Date, $s: ID) {
		search(text: $t, first: 1, after: $a, types: $ty, within: $w, asOf: $d, scenario: $s) { pageInfo { endCursor } } }`
	ask := func(s search, after any) *gqlResponse {
		if s.asOf != nil && s.scenario != nil { // one view or the other
			s.scenario = nil
		}
		return w.ask(tokens[s.caller], query, map[string]any{"t": s.text, "a": after, "ty": s.types, "w": s.within, "d": s.asOf, "s": s.scenario})
	}
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 19), 0))
	pick := func(xs []any) any { return xs[rng.IntN(len(xs))] }
	random := func() search {
		return search{pick(choices.text), pick(choices.types), pick(choices.within), pick(choices.asOf), pick(choices.scenario), rng.IntN(len(tokens))}
	}
	for range 60 {
		a := random()
		var p struct {
			Search struct{ PageInfo struct{ EndCursor *string } }
		}
		w.s.data(ask(a, nil), &p)
		if p.Search.PageInfo.EndCursor == nil {
			continue // no hits, no cursor
		}
		cursor := *p.Search.PageInfo.EndCursor
		b := a
		switch rng.IntN(7) { // change one thing, or nothing
		case 0:
			b.text = pick(choices.text)
		case 1:
			b.types = pick(choices.types)
		case 2:
			b.within = pick(choices.within)
		case 3:
			b.asOf = pick(choices.asOf)
		case 4:
			b.scenario = pick(choices.scenario)
		case 5:
			b.caller = rng.IntN(len(tokens))
		}
		norm := func(s search) string {
			if s.asOf != nil {
				s.scenario = nil
			}
			return fmt.Sprint(s)
		}
		r := ask(b, cursor)
		if same := norm(a) == norm(b); same != (len(r.Errors) == 0) {
			t.Fatalf("the cursor of %+v, given to %+v: %s", a, b, fmt.Sprint(r.Errors))
		} else if !same && (outcome(r) != org.EInvalid || !isVietnamese(r.Errors[0].Message)) {
			t.Fatalf("the cursor of %+v, given to %+v: %s, want %s in Vietnamese", a, b, fmt.Sprint(r.Errors), org.EInvalid)
		}

		// The same cursor with its score changed to one no hit has.
		for _, score := range []string{"+Inf", "-Inf", "NaN", "1e999"} {
			forged := withScore(t, cursor, score)
			if r := ask(a, forged); outcome(r) != org.EInvalid || !isVietnamese(r.Errors[0].Message) {
				t.Fatalf("a cursor with score %s: %s", score, fmt.Sprint(r.Errors))
			}
		}
	}
}

// withScore is a search cursor with its hit's score replaced: the client's
// cursor wraps, base64url-encoded, a tag of its search and the inner cursor,
// itself the rank, score, name and id.
func withScore(t *testing.T, cursor, score string) string {
	t.Helper()
	outer, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(outer), "\x00")
	if err != nil || len(parts) != 3 {
		t.Fatalf("cursor %q: %q, %v", cursor, outer, err)
	}
	inner, err := base64.RawURLEncoding.DecodeString(parts[2])
	fields := strings.Split(string(inner), "\x00")
	if err != nil || len(fields) != 5 {
		t.Fatalf("inner cursor %q: %q, %v", parts[2], inner, err)
	}
	fields[2] = score
	parts[2] = base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "\x00")))
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}
