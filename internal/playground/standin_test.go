package playground_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"sync"
	"testing"

	"dangbo/internal/playground"
)

// standin is a GraphQL endpoint for the playground's tests. Its answers were
// computed by graphql-js against a small schema when the assets were built
// (web/graphiql/standin/fixture.mjs): the introspection query exactly as the
// page sends it, and the example query.
type standin struct {
	Example playground.Example `json:"example"`
	Answers []struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
		Response  json.RawMessage `json:"response"`
	} `json:"answers"`

	mu       sync.Mutex
	answered []string // the queries it answered, in order
}

func loadStandin(t *testing.T) *standin {
	t.Helper()
	raw, err := os.ReadFile("testdata/standin.json")
	if err != nil {
		t.Fatal(err)
	}
	s := &standin{}
	if err := json.Unmarshal(raw, s); err != nil {
		t.Fatalf("testdata/standin.json: %v", err)
	}
	return s
}

func (s *standin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var req struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	for _, a := range s.Answers {
		if a.Query == req.Query && sameVariables(a.Variables, req.Variables) {
			s.mu.Lock()
			s.answered = append(s.answered, a.Query)
			s.mu.Unlock()
			_, _ = w.Write(a.Response)
			return
		}
	}
	_, _ = w.Write([]byte(`{"errors":[{"message":"the stand-in server knows no answer to this query"}]}`))
}

// sameVariables treats absent, null and {} alike, as GraphQL does.
func sameVariables(a, b json.RawMessage) bool {
	normal := func(v json.RawMessage) []byte {
		v = bytes.TrimSpace(v)
		if len(v) == 0 || string(v) == "null" || string(v) == "{}" {
			return nil
		}
		return v
	}
	return bytes.Equal(normal(a), normal(b))
}

func (s *standin) answeredQueries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.answered...)
}
