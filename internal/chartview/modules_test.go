package chartview_test

import (
	"testing"

	"dangbo/web/webtest"
)

// The viewer's modules that need no browser (groups of wide levels, scenario
// marks) hold their properties on generated trees: web/chart/test.
func TestViewerModules(t *testing.T) { webtest.ModulesPass(t, "../../web/chart") }
