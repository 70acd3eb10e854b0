package chartview_test

import (
	"testing"

	"dangbo/web/webtest"
)

// The committed assets must be what the pinned npm packages build.
func TestDistMatchesFreshBuild(t *testing.T) {
	webtest.MatchesFreshBuild(t, "../../web/chart", map[string]string{"--outdir": "dist"})
}
