package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testSearchPages: for any caller, text and page size, paging a search to
// its end reads each hit once, in the order one search ranks them (ties of
// score and name included), and as many as SearchTotal counts: hits outside
// the caller's scope neither show nor count.
func testSearchPages(t *testing.T, f *fixture) {
	c := f.commune()
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 3), 23))
	// Few names, so that scores and whole names tie.
	family, middle, given := []string{"Nguyễn", "Trần", "Lê"}, []string{"Văn", "Thị"}, []string{"An", "Anh", "Hoa"}
	cells := []string{c.village.ID, c.village2.ID, c.school.ID, c.agencyCell.ID}
	for range 60 {
		name := fmt.Sprintf("%s %s %s", family[rng.IntN(3)], middle[rng.IntN(2)], given[rng.IntN(3)])
		if _, err := f.svc.CreateMember(f.ctx, org.NewMember{CellID: cells[rng.IntN(len(cells))], FullName: name, Status: org.Probationary}); err != nil {
			t.Fatal(err)
		}
	}
	v := f.now()
	callers := map[string]context.Context{
		"admin":          f.ctx,
		"commune viewer": org.WithPrincipal(context.Background(), &org.Principal{Subject: "xa", Roles: []org.AccessRole{org.Viewer}, Scope: []string{c.commune.ID}}),
		"bloc viewer":    org.WithPrincipal(context.Background(), &org.Principal{Subject: "khoi", Roles: []org.AccessRole{org.Viewer}, Scope: []string{c.bloc.ID}}),
	}
	for name, ctx := range callers {
		for _, text := range []string{"nguyen", "van an", "an", "thi h", "chi bo", "tam hong", "khong co ai"} {
			q := org.SearchQuery{Text: text}
			all, err := f.svc.Search(ctx, v, org.SearchQuery{Text: text, First: org.MaxResults})
			if err != nil {
				t.Fatal(err)
			}
			total, err := f.svc.SearchTotal(ctx, v, q)
			if err != nil {
				t.Fatal(err)
			}
			if total.Count != len(all) || !total.Exact {
				t.Fatalf("%s, %q: SearchTotal %+v, one search of %d gives %d hits", name, text, total, org.MaxResults, len(all))
			}
			for _, size := range []int{1, 2, 7, 100} {
				q.First, q.After = size, nil
				var paged []org.SearchKey
				for pages := 0; ; pages++ {
					p, err := f.svc.SearchPage(ctx, v, q)
					if err != nil {
						t.Fatal(err)
					}
					if len(p.Hits) > size || pages > len(all)+1 {
						t.Fatalf("%s, %q by %d: a page of %d hits, %d pages", name, text, size, len(p.Hits), pages)
					}
					for i := range p.Hits {
						paged = append(paged, p.Hits[i].Key())
					}
					if !p.HasNext {
						break
					}
					// The cursor as a client holds it.
					if q.After, err = org.DecodeSearchCursor(p.Cursors[len(p.Cursors)-1].Encode()); err != nil {
						t.Fatal(err)
					}
				}
				want := make([]org.SearchKey, len(all))
				for i := range all {
					want[i] = all[i].Key()
				}
				if !slices.Equal(paged, want) {
					t.Fatalf("%s, %q by %d: paging read %d hits\n%v\none search ranks %d\n%v", name, text, size, len(paged), paged, len(want), want)
				}
			}
		}
	}
}
