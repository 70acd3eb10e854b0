package playground_test

import (
	"testing"

	"dangbo/web/webtest"
)

// The committed assets and the browser test's fixture must be what the pinned
// npm packages build.
func TestDistMatchesFreshBuild(t *testing.T) {
	webtest.MatchesFreshBuild(t, "../../web/graphiql", map[string]string{"--outdir": "dist", "--testdata": "testdata"})
}
