package playground_test

import (
	"os"
	"os/exec"
	"testing"
)

// The page's modules that need no browser (its websockets, one per set of
// headers) hold their properties on random runs: web/graphiql/test, run by
// Node's test runner. DANGBO_TEST_SEED passes through.
func TestPageModules(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("DANGBO_REQUIRE_TOOLS") == "1" {
			t.Fatal("needs node: " + err.Error())
		}
		t.Skip("needs node: " + err.Error())
	}
	cmd := exec.Command(node, "--test", "test/")
	cmd.Dir = "../../web/graphiql"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test web/graphiql/test/: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
