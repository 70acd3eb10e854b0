package neo4j

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestNoCypherInGo keeps every statement in cypher/*.cypher, where the lint
// sees it: a Cypher-looking string literal in the adapter's Go code fails.
func TestNoCypherInGo(t *testing.T) {
	dir := packageDir(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && looksLikeCypher(s) {
				pos := fset.Position(lit.Pos())
				t.Errorf("%s/%s:%d:%d: string literal looks like Cypher; put the statement in %s/*.cypher so that the lint checks it: %s",
					dir, filepath.ToSlash(pos.Filename), pos.Line, pos.Column, lintStatementsDir, lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cypherShapes are pieces of Cypher that messages, names and Lucene queries
// do not contain. Keywords count only in upper case, the way statements are
// written here, because match, create, set, with and return are also English.
var cypherShapes = []*regexp.Regexp{
	regexp.MustCompile(`\(\w*:[A-Za-z_]`),                             // a node pattern with a label: (o:Org
	regexp.MustCompile(`-\[|\]->|\]-\(`),                              // a relationship pattern: -[:PART_OF]->(
	regexp.MustCompile(`\b(MATCH|MERGE|CREATE)\s*\(`),                 // a clause opening a pattern
	regexp.MustCompile(`\b(DETACH DELETE|OPTIONAL MATCH|LOAD CSV)\b`), // two-word clauses
	regexp.MustCompile(`\bCALL\s*[({]`),                               // a subquery
	regexp.MustCompile(`(?i)\bcall\s+\w+(\.\w+)+\s*\(`),               // a procedure call: CALL db.awaitIndexes(
}

// cypherClause is an upper-case clause keyword; two different ones, or one
// with a $parameter, make a statement or a piece of one.
var (
	cypherClause = regexp.MustCompile(`\b(MATCH|MERGE|CREATE|RETURN|UNWIND|WITH|WHERE|SET|REMOVE|DELETE|FOREACH|YIELD|ORDER BY|SKIP|LIMIT|UNION|AS|SHOW|DROP)\b`)
	cypherParam  = regexp.MustCompile(`\$[A-Za-z_]`)
)

func looksLikeCypher(s string) bool {
	for _, shape := range cypherShapes {
		if shape.MatchString(s) {
			return true
		}
	}
	clauses := map[string]bool{}
	for _, c := range cypherClause.FindAllString(s, -1) {
		clauses[c] = true
	}
	return len(clauses) >= 2 || len(clauses) == 1 && cypherParam.MatchString(s)
}

func TestLooksLikeCypher(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"MATCH (o:Org {id: $id}) RETURN o", true},
		{"match (o:Org) return o", true},
		{"MERGE (m)-[:MEMBER_OF]->(o)", true},
		{"(m)<-[:HOLDS]-(o)", true},
		{"MATCH (", true},
		{"CREATE CONSTRAINT org_id IF NOT EXISTS FOR (o:Org) REQUIRE o.id IS UNIQUE", true},
		{"DETACH DELETE n", true},
		{"OPTIONAL MATCH ", true},
		{"UNWIND $rows AS row", true},
		{"WITH o ORDER BY o.name LIMIT 10", true},
		{"SET o.name = $name", true},
		{"RETURN count(o) AS n", true},
		{"SHOW INDEXES YIELD name, state", true},
		{"CALL db.index.fulltext.queryNodes($index, $query)", true},
		{"call db.awaitIndexes(300)", true},
		{"CALL { MATCH (n) RETURN n }", true},
		{"CALL (o) { DELETE o }", true},

		{"neo4j: match org %q: %w", false},
		{"create member %s: %w", false},
		{"cannot set since after until", false},
		{"return the rows with a limit where possible", false},
		{"neo4j: statement %s declares parameters %v, given %v", false},
		{"invalid date (want: YYYY-MM-DD)", false},
		{"unknown kind (kind %s)", false},
		{"MEMBER_OF", false},
		{"Org", false},
		{"RETURN", false},
		{"CREATE failed: %w", false},
		{"neo4j://localhost:7687", false},
		{"Neo.ClientError.Schema.ConstraintValidationFailed", false},
		{"không tìm thấy tổ chức %q", false},
		{`"a b"^8`, false},
		{`\+-!():^[]"{}~*?|&/ `, false},
		{"*^2 *", false},
		{"the call (to Neo4j) failed", false},
		{"see (http://neo4j.com)", false},
	} {
		if got := looksLikeCypher(tc.s); got != tc.want {
			t.Errorf("looksLikeCypher(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
