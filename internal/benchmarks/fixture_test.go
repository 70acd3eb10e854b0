package benchmarks

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"dangbo/internal/auth"
	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/server"
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

// devAuth lets requests without a token through as an admin, the way the
// benchmarks before authorisation measured; a request with a token is
// verified as in production.
var devAuth = sync.OnceValues(func() (*auth.Authenticator, error) {
	return auth.New(context.Background(), auth.Config{Secret: benchSecret, Dev: true})
})

var benchSecret = []byte("a secret of thirty-two bytes or more, for benchmarks")

// handler serves the demo as the binary does, with dev authentication.
func handler(b *testing.B, cfg server.Config) http.Handler {
	b.Helper()
	a, err := devAuth()
	if err != nil {
		b.Fatal(err)
	}
	cfg.Auth = a
	return server.NewHandler(cfg)
}

// token mints a token for one role scoped to the given organisations.
func token(b *testing.B, role org.AccessRole, scope ...string) string {
	b.Helper()
	a, err := devAuth()
	if err != nil {
		b.Fatal(err)
	}
	t, err := a.Mint(&org.Principal{Subject: "bench", Roles: []org.AccessRole{role}, Scope: scope}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// find returns the first organisation whose name matches text.
func find(b *testing.B, svc *org.Service, text string) org.Org {
	b.Helper()
	ctx := org.WithPrincipal(context.Background(), org.System)
	hits, err := svc.Search(ctx, svc.Now(), org.SearchQuery{Text: text, First: 1, Types: []org.SearchType{org.SearchOrgs}})
	if err != nil || len(hits) == 0 {
		b.Fatalf("no organisation matches %q: %v", text, err)
	}
	return *hits[0].Org
}

// quangNinhStore is a fresh embedded store of the demo's Quảng Ninh, for a
// benchmark that writes: the shared demo store stays as generated.
func quangNinhStore(b *testing.B) *memory.Store {
	b.Helper()
	s, err := memory.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := org.WithPrincipal(context.Background(), org.System)
	if _, err := s.Import(ctx, demo.Generate(demo.DefaultSeed).Province("Đảng bộ tỉnh Quảng Ninh").Reader()); err != nil {
		b.Fatal(err)
	}
	return s
}
