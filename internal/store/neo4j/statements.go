package neo4j

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Every statement the adapter runs is a file in cypher/, so that the lint sees
// all of them. A file begins with a header naming the parameters it takes:
//
//	// params: id, at
//
// followed by optional comment lines and the statement.
//
//go:embed cypher/*.cypher
var cypherFiles embed.FS

// statement is one .cypher file.
type statement struct {
	name   string // file name without .cypher
	text   string
	params []string
}

// statements holds every statement by name, loaded once at start.
var statements = mustLoadStatements(cypherFiles, "cypher")

func mustLoadStatements(fsys fs.FS, dir string) map[string]*statement {
	all, err := loadStatements(fsys, dir)
	if err != nil {
		panic(err)
	}
	return all
}

func loadStatements(fsys fs.FS, dir string) (map[string]*statement, error) {
	files, err := fs.Glob(fsys, dir+"/*.cypher")
	if err != nil {
		return nil, err
	}
	all := make(map[string]*statement, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		st, err := parseStatement(strings.TrimSuffix(path.Base(f), ".cypher"), string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		all[st.name] = st
	}
	return all, nil
}

func parseStatement(name, text string) (*statement, error) {
	first, _, _ := strings.Cut(text, "\n")
	decl, ok := strings.CutPrefix(strings.TrimSpace(first), "// params:")
	if !ok {
		return nil, fmt.Errorf("first line must be \"// params: a, b\"")
	}
	st := &statement{name: name, text: text}
	for _, p := range strings.Split(decl, ",") {
		if p = strings.TrimSpace(p); p != "" {
			st.params = append(st.params, p)
		}
	}
	return st, nil
}
