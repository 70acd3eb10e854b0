package playground_test

import (
	"testing"

	"dangbo/web/webtest"
)

// The page's modules that need no browser (its websockets, one per set of
// headers) hold their properties on random runs: web/graphiql/test.
func TestPageModules(t *testing.T) { webtest.ModulesPass(t, "../../web/graphiql") }
