package server

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"dangbo/internal/org"
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
