package chartview_test

import (
	"os"
	"os/exec"
	"testing"
)

// The viewer's modules that need no browser (groups of wide levels, scenario
// marks) hold their properties on generated trees: web/chart/test, run by
// Node's test runner. DANGBO_TEST_SEED passes through.
func TestViewerModules(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("DANGBO_REQUIRE_TOOLS") == "1" {
			t.Fatal("needs node: " + err.Error())
		}
		t.Skip("needs node: " + err.Error())
	}
	cmd := exec.Command(node, "--test", "test/")
	cmd.Dir = "../../web/chart"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test web/chart/test/: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
