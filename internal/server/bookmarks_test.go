package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"dangbo/internal/auth"
	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// replicating is a store that hands out bookmarks as Neo4j does on a
// cluster: one per committed write, and it notes what each read had to see.
type replicating struct {
	org.Store
	mu     sync.Mutex
	writes int
	after  [][]string // what each read of an organisation had to see
}

func (r *replicating) Update(ctx context.Context, fn func(org.Tx) error) error {
	err := r.Store.Update(ctx, fn)
	if b := org.BookmarksFrom(ctx); err == nil && b != nil {
		r.mu.Lock()
		r.writes++
		b.Committed([]string{fmt.Sprintf("bookmark:%d", r.writes)})
		r.mu.Unlock()
	}
	return err
}

func (r *replicating) Org(ctx context.Context, v org.View, id string) (org.Org, error) {
	r.read(ctx)
	return r.Store.Org(ctx, v, id)
}

func (r *replicating) Orgs(ctx context.Context, v org.View, ids []string) ([]org.Org, error) {
	r.read(ctx)
	return r.Store.Orgs(ctx, v, ids)
}

func (r *replicating) read(ctx context.Context) {
	if b := org.BookmarksFrom(ctx); b != nil {
		r.mu.Lock()
		r.after = append(r.after, b.After())
		r.mu.Unlock()
	}
}

// TestBookmarks: an answer whose mutation wrote carries extensions.bookmark;
// a request that brings it back in the Dangbo-Bookmark header reads after
// that write, whichever instance answers (here, what the store is told).
func TestBookmarks(t *testing.T) {
	mem, err := memory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	store := &replicating{Store: mem}
	a, err := auth.New(t.Context(), auth.Config{Secret: testSecret, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewHandler(Config{Store: store, Service: org.NewService(store, func() org.Date { return today }), Auth: a}))
	t.Cleanup(ts.Close)
	post := func(query, bookmark string) (int, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest("POST", ts.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bookmark != "" {
			req.Header.Set(bookmarkHeader, bookmark)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var answer map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, answer
	}
	_, created := post(`mutation { createOrg(input: {name: "Đảng bộ tỉnh Thử", kind: PROVINCE}) { id } }`, "")
	ext, _ := created["extensions"].(map[string]any)
	bookmark, _ := ext["bookmark"].(string)
	if got, err := decodeBookmark(bookmark); err != nil || !slices.Equal(got, []string{"bookmark:1"}) {
		t.Fatalf("answer %v: bookmark %q decodes to %v, %v", created, bookmark, got, err)
	}
	id := created["data"].(map[string]any)["createOrg"].(map[string]any)["id"].(string)

	_, read := post(fmt.Sprintf(`{ org(id: %q) { name } }`, id), bookmark)
	if read["errors"] != nil || read["extensions"] != nil {
		t.Fatalf("a read answers %v: want no errors and no bookmark", read)
	}
	store.mu.Lock()
	seen := slices.ContainsFunc(store.after, func(after []string) bool { return slices.Equal(after, []string{"bookmark:1"}) })
	store.mu.Unlock()
	if !seen {
		t.Fatalf("the store read after %v, want the bookmark brought back", store.after)
	}

	status, bad := post(`{ __typename }`, "not a bookmark!")
	errs, _ := bad["errors"].([]any)
	if status != http.StatusBadRequest || len(errs) != 1 || errs[0].(map[string]any)["extensions"].(map[string]any)["code"] != org.EInvalid {
		t.Fatalf("a malformed bookmark: %d %v", status, bad)
	}
}
