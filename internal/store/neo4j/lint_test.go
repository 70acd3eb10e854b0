package neo4j

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// No Neo4j server runs in these tests, so every statement goes through Neo4j's
// own Cypher front end instead: tools/cypherlint runs @neo4j-cypher/language-support
// (parser and semantic analysis of Neo4j 5) in Node.

// requireToolsEnv, set to 1, turns a missing Node or tools/cypherlint/node_modules
// from a skip into a failure, so that CI cannot pass without the lint.
const requireToolsEnv = "DANGBO_REQUIRE_TOOLS"

// lintToolDir holds package.json, the lock file and the lint script.
const lintToolDir = "tools/cypherlint"

// The linted files lie in these directories of this package: the adapter's
// statements, and fixtures that must be rejected (bad) or pass (good).
const (
	lintStatementsDir = "cypher"
	lintFixturesDir   = "testdata"
)

var lintFixtureKinds = []string{"bad", "good"}

// lintModel is graphModel in the shape of the linter's database schema.
type lintModel struct {
	Labels            []string `json:"labels"`
	RelationshipTypes []string `json:"relationshipTypes"`
	PropertyKeys      []string `json:"propertyKeys"`
}

type lintInput struct {
	File   string   `json:"file"`
	Text   string   `json:"text"`
	Params []string `json:"params,omitempty"`
}

type lintFinding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (f lintFinding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Message)
}

// lintResult is one run of the linter over the adapter's statements and the
// fixtures together, shared by the tests: Node and Neo4j's front end take
// seconds to start.
var lintResult struct {
	once        sync.Once
	findings    []lintFinding
	unavailable string // why the tools are missing
	err         error
}

func TestCypherLint(t *testing.T) {
	dir := packageDir(t)
	statementsDir := path.Join(dir, lintStatementsDir)
	rejected := findingsWhere(lintedFindings(t), func(file string) bool { return path.Dir(file) == statementsDir })
	if len(rejected) > 0 {
		t.Errorf("Neo4j's Cypher front end reports %d finding(s) in %s:\n%s",
			len(rejected), statementsDir, strings.Join(rejected, "\n"))
	}
}

// TestCypherLintFixtures proves that the lint rejects each kind of bad
// statement with the right message at the right place, and passes good ones.
func TestCypherLintFixtures(t *testing.T) {
	dir := packageDir(t)
	findings := lintedFindings(t)
	for _, kind := range lintFixtureKinds {
		fixtures, err := readFixtures(kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(fixtures) == 0 {
			t.Fatalf("no fixtures in %s/%s", lintFixturesDir, kind)
		}
		for _, name := range slices.Sorted(maps.Keys(fixtures)) {
			file := path.Join(dir, lintFixturesDir, kind, name+".cypher")
			got := findingsWhere(findings, func(f string) bool { return f == file })
			t.Run(kind+"/"+name, func(t *testing.T) {
				if kind == "good" {
					if len(got) > 0 {
						t.Errorf("a good statement is rejected:\n%s", strings.Join(got, "\n"))
					}
					return
				}
				line, message, err := fixtureExpectation(fixtures[name].text)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				want := fmt.Sprintf("%s:%d:", file, line)
				found := false
				for _, g := range got {
					if !strings.HasPrefix(g, want) {
						t.Errorf("finding not on line %d, the only fault of the fixture:\n%s", line, g)
					}
					found = found || strings.Contains(g, message)
				}
				if !found {
					t.Errorf("want a finding %s…%s…, got:\n%s", want, message, strings.Join(got, "\n"))
				}
			})
		}
	}
}

// readFixtures reads the fixtures of one kind. loadStatements would also
// compare the header with the $names in the text and so stop a fixture with a
// parameter fault before the lint sees it.
func readFixtures(kind string) (map[string]*statement, error) {
	files, err := filepath.Glob(filepath.Join(lintFixturesDir, kind, "*.cypher"))
	if err != nil {
		return nil, err
	}
	all := make(map[string]*statement, len(files))
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		header, _, _ := strings.Cut(string(text), "\n")
		declared, ok := strings.CutPrefix(header, "// params:")
		if !ok {
			return nil, fmt.Errorf("%s: first line must be \"// params: a, b\"", file)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".cypher")
		params := strings.FieldsFunc(declared, func(r rune) bool { return r == ',' || r == ' ' })
		all[name] = &statement{name: name, text: string(text), params: params}
	}
	return all, nil
}

// fixtureExpectation reads a bad fixture's "// expect: <line>: <part of the
// message>" comment.
func fixtureExpectation(text string) (line int, message string, err error) {
	for l := range strings.Lines(text) {
		expect, ok := strings.CutPrefix(strings.TrimSpace(l), "// expect:")
		if !ok {
			continue
		}
		number, rest, ok := strings.Cut(expect, ":")
		if line, err = strconv.Atoi(strings.TrimSpace(number)); !ok || err != nil {
			return 0, "", fmt.Errorf("want \"// expect: <line>: <message>\", got %q", l)
		}
		return line, strings.TrimSpace(rest), nil
	}
	return 0, "", errors.New("no \"// expect: <line>: <message>\" comment")
}

func findingsWhere(findings []lintFinding, inFile func(string) bool) []string {
	var in []string
	for _, f := range findings {
		if inFile(f.File) {
			in = append(in, f.String())
		}
	}
	return in
}

// lintedFindings lints everything once per test binary; it skips or fails the
// test when the tools are missing.
func lintedFindings(t *testing.T) []lintFinding {
	t.Helper()
	root, dir := repoRoot(t), packageDir(t)
	lintResult.once.Do(func() {
		lintResult.findings, lintResult.unavailable, lintResult.err = runLint(root, dir)
	})
	if lintResult.unavailable != "" {
		if os.Getenv(requireToolsEnv) == "1" {
			t.Fatalf("Cypher lint cannot run (%s=1): %s", requireToolsEnv, lintResult.unavailable)
		}
		t.Skipf("Cypher lint skipped: %s (set %s=1 to make this a failure)", lintResult.unavailable, requireToolsEnv)
	}
	if lintResult.err != nil {
		t.Fatalf("Cypher lint: %v", lintResult.err)
	}
	return lintResult.findings
}

func runLint(root, dir string) (findings []lintFinding, unavailable string, err error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "node is not on PATH; install Node.js 20 or later", nil
	}
	toolDir := filepath.Join(root, lintToolDir)
	if _, err := os.Stat(filepath.Join(toolDir, "node_modules")); err != nil {
		return nil, fmt.Sprintf("%s/node_modules is missing; run npm ci --prefix %s", lintToolDir, lintToolDir), nil
	}
	if err := statToolFiles(toolDir); err != nil {
		return nil, "", err
	}
	inputs, err := lintInputs(dir)
	if err != nil {
		return nil, "", err
	}
	request, err := json.Marshal(struct {
		Model      lintModel   `json:"model"`
		Statements []lintInput `json:"statements"`
	}{
		Model: lintModel{
			Labels:            graphModel.Labels,
			RelationshipTypes: graphModel.Relationships,
			PropertyKeys:      graphModel.Properties,
		},
		Statements: inputs,
	})
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(node, filepath.Join(toolDir, "lint.mjs"))
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(request), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	var response struct {
		Findings []lintFinding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &response); err != nil {
		return nil, "", fmt.Errorf("reading the linter's answer: %v\n%s", err, stdout.Bytes())
	}
	return response.Findings, "", nil
}

// statToolFiles looks at the lint tool's own files, so that go test's cache
// of a passing run is dropped when they change: Node, not this process, reads them.
func statToolFiles(toolDir string) error {
	entries, err := os.ReadDir(toolDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			if _, err := os.Stat(filepath.Join(toolDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// lintInputs is every statement the adapter runs and every fixture, named by
// their paths from the repository root.
func lintInputs(dir string) ([]lintInput, error) {
	var inputs []lintInput
	add := func(fileDir string, all map[string]*statement) {
		for _, name := range slices.Sorted(maps.Keys(all)) {
			st := all[name]
			inputs = append(inputs, lintInput{File: path.Join(dir, fileDir, name+".cypher"), Text: st.text, Params: st.params})
		}
	}
	add(lintStatementsDir, statements)
	for _, kind := range lintFixtureKinds {
		all, err := readFixtures(kind)
		if err != nil {
			return nil, err
		}
		add(path.Join(lintFixturesDir, kind), all)
	}
	return inputs, nil
}

// repoRoot is the directory of go.mod, found upwards from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

// packageDir is this package's directory relative to the repository root, with
// slashes, as the lint names files.
func packageDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Rel(repoRoot(t), wd)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(dir)
}
