package playground_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const rebuild = "npm ci --prefix web/graphiql && node web/graphiql/build.mjs"

// The committed assets and test fixture must be what the pinned npm packages
// build. Needs Node and web/graphiql/node_modules; skipped without them,
// unless DANGBO_REQUIRE_TOOLS=1 (CI), which makes their absence a failure.
func TestDistMatchesFreshBuild(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat("../../web/graphiql/node_modules/.package-lock.json")
	}
	if err != nil {
		msg := "needs node and `npm ci --prefix web/graphiql`: " + err.Error()
		if os.Getenv("DANGBO_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	fresh := t.TempDir()
	build := exec.Command(node, "../../web/graphiql/build.mjs",
		"--outdir", filepath.Join(fresh, "dist"), "--testdata", filepath.Join(fresh, "testdata"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, dir := range []string{"dist", "testdata"} {
		compareDirs(t, dir, filepath.Join(fresh, dir))
	}
}

func compareDirs(t *testing.T, committed, fresh string) {
	t.Helper()
	files := func(dir string) map[string][]byte {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]byte{}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m[e.Name()] = b
		}
		return m
	}
	want, got := files(fresh), files(committed)
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s/%s is missing; rebuild: %s", committed, name, rebuild)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s/%s differs from a fresh build; rebuild: %s", committed, name, rebuild)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s/%s is not part of a fresh build; rebuild: %s", committed, name, rebuild)
		}
	}
}
