package benchmarks

import (
	"context"
	"os"
	"sync"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// demoStore is the embedded store holding the demo data, loaded once for
// every benchmark of the package.
var demoStore = sync.OnceValues(func() (*memory.Store, error) {
	dir, err := os.MkdirTemp("", "dangbo-bench-")
	if err != nil {
		return nil, err
	}
	s, err := memory.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.Import(context.Background(), demo.Generate(demo.DefaultSeed).Reader()); err != nil {
		return nil, err
	}
	return s, nil
})

func loadDemo(b *testing.B) (*memory.Store, *org.Service) {
	b.Helper()
	s, err := demoStore()
	if err != nil {
		b.Fatal(err)
	}
	return s, org.NewService(s, nil)
}

// find returns the first organisation whose name matches text.
func find(b *testing.B, svc *org.Service, text string) org.Org {
	b.Helper()
	hits, err := svc.Search(context.Background(), svc.Now(), org.SearchQuery{Text: text, First: 1, Types: []org.SearchType{org.SearchOrgs}})
	if err != nil || len(hits) == 0 {
		b.Fatalf("no organisation matches %q: %v", text, err)
	}
	return *hits[0].Org
}
