// Package webtest checks, in the tests of a package that embeds a page's
// build, that the committed build output is what the page's pinned npm
// packages build now.
package webtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// MatchesFreshBuild runs the page's build script (project/build.mjs) into a
// temporary directory and compares each output with its committed directory:
// outputs maps a flag of the script (e.g. "--outdir") to the committed
// directory it writes. It needs Node and project/node_modules; without them
// the test is skipped, unless DANGBO_REQUIRE_TOOLS=1 (CI) makes that a failure.
func MatchesFreshBuild(t *testing.T, project string, outputs map[string]string) {
	t.Helper()
	page := "web/" + filepath.Base(project) // every page's project is in web/
	rebuild := "npm ci --prefix " + page + " && node " + page + "/build.mjs"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(project, "node_modules", ".package-lock.json"))
	}
	if err != nil {
		msg := "needs node and `npm ci --prefix " + page + "`: " + err.Error()
		if os.Getenv("DANGBO_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	fresh := t.TempDir()
	args := []string{filepath.Join(project, "build.mjs")}
	for flag, committed := range outputs {
		args = append(args, flag, filepath.Join(fresh, filepath.Base(committed)))
	}
	if out, err := exec.Command(node, args...).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, committed := range outputs {
		want, got := files(t, filepath.Join(fresh, filepath.Base(committed))), files(t, committed)
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
}

// files reads every file of dir, by name.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
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

// ModulesPass runs the page's module tests (project/test, Node's test
// runner): the parts of a page that need no browser, with their properties
// on generated inputs; DANGBO_TEST_SEED passes through. Without Node the test
// is skipped, unless DANGBO_REQUIRE_TOOLS=1 (CI) makes that a failure.
func ModulesPass(t *testing.T, project string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("DANGBO_REQUIRE_TOOLS") == "1" {
			t.Fatal("needs node: " + err.Error())
		}
		t.Skip("needs node: " + err.Error())
	}
	cmd := exec.Command(node, "--test", "test/")
	cmd.Dir = project
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s/test/: %v\n%s", project, err, out)
	}
	t.Logf("%s", out)
}
