package graph

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates the gqlgen code in a copy of the
// module and fails if anything differs from what is committed: the schema and
// the code must never drift apart, and generated files are never edited.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gqlgen")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	copyDir := t.TempDir()
	for _, p := range []string{"go.mod", "go.sum", "gqlgen.yml", "schema", "graph", "internal/org", "internal/scenario"} {
		if err := copyTree(filepath.Join(root, p), filepath.Join(copyDir, p)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "gqlgen", "generate")
	cmd.Dir = copyDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gqlgen generate: %v\n%s", err, out)
	}
	err = filepath.WalkDir(filepath.Join(copyDir, "graph"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(copyDir, p)
		fresh, _ := os.ReadFile(p)
		committed, _ := os.ReadFile(filepath.Join(root, rel))
		if !bytes.Equal(fresh, committed) {
			t.Errorf("%s differs from what gqlgen generates: run `go tool gqlgen generate` and commit the result", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}
