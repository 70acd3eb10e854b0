package playground_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"dangbo/internal/browsertest"
	"dangbo/internal/playground"
	"dangbo/internal/playground/playgroundtest"
)

func TestPlaygroundRunsExampleInBrowser(t *testing.T) {
	endpoint := loadStandin(t)
	mux := http.NewServeMux()
	mux.Handle("/graphql", endpoint)
	mux.Handle("/", playground.New(playground.Options{Examples: []playground.Example{endpoint.Example}}))
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)

	playgroundtest.RunFirstExample(t, browsertest.Start(t), server.URL, endpoint.Example.Name, "Đảng bộ tỉnh Quảng Ninh")
	// Both answers were needed: the schema for the editor, the example's data
	// for the result pane.
	if got := endpoint.answeredQueries(); !slices.Equal(slices.Compact(slices.Sorted(slices.Values(got))), sortedQueries(endpoint)) {
		t.Errorf("the stand-in answered %d queries, not each of its %d answers", len(got), len(endpoint.Answers))
	}
}

func sortedQueries(s *standin) []string {
	var qs []string
	for _, a := range s.Answers {
		qs = append(qs, a.Query)
	}
	slices.Sort(qs)
	return qs
}
