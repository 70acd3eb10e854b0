package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"testing"

	"dangbo/internal/dataset"
	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// ndjson writes the records of src as NDJSON.
func ndjson(t *testing.T, src org.RecordReader) []byte {
	t.Helper()
	var b bytes.Buffer
	w := dataset.NewWriter(&b)
	if _, err := dataset.Copy(w, src); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exportNDJSON is the store's export as NDJSON.
func exportNDJSON(t *testing.T, s *Store) []byte {
	t.Helper()
	var b bytes.Buffer
	w := dataset.NewWriter(&b)
	if err := s.Export(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importSetting is how an import runs: building the graph or writing only
// the file, committing every chunk bytes, on procs cores.
type importSetting struct {
	fileOnly     bool
	chunk, procs int
}

// importExport imports nd as set says and returns the store's export, read
// after a reopen; a store that built its graph must export the same before.
func importExport(t *testing.T, nd []byte, set importSetting) []byte {
	t.Helper()
	oldChunk, oldProcs := importChunk, runtime.GOMAXPROCS(set.procs)
	importChunk = set.chunk
	defer func() { importChunk = oldChunk; runtime.GOMAXPROCS(oldProcs) }()
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	open := map[bool]func(string, *slog.Logger) (*Store, error){false: Open, true: OpenForImport}[set.fileOnly]
	s, err := open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, dataset.NewReader(bytes.NewReader(nd))); err != nil {
		t.Fatalf("%+v: %v", set, err)
	}
	var before []byte
	if !set.fileOnly {
		before = exportNDJSON(t, s)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after := exportNDJSON(t, s)
	if before != nil && !bytes.Equal(before, after) {
		t.Fatalf("%+v: the export before a reopen differs from the one after, first at line %d", set, firstDiff(before, after))
	}
	return after
}

// firstDiff is the number of the first line where a and b differ.
func firstDiff(a, b []byte) int {
	as, bs := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(as), len(bs)) {
		if !bytes.Equal(as[i], bs[i]) {
			return i + 1
		}
	}
	return min(len(as), len(bs)) + 1
}

// TestImportThenExportGivesTheSameBytes: for generated datasets (the national
// demo at a small scale, from a seed), an import then an export gives back
// the NDJSON of an export byte for byte, whether the import builds the graph
// or only writes the file (then read by a reopen), whatever the size of its
// commits and the number of cores decoding and checking. The generator's own
// NDJSON comes back with the same lines, only in the export's order
// (organisations and members by id, where the generator lists organisations
// as it builds them).
func TestImportThenExportGivesTheSameBytes(t *testing.T) {
	seed := testseed.Seed(t, 25)
	settings := []importSetting{
		{true, 32 << 20, 2}, {true, 8 << 10, 1}, {false, 64 << 10, 3}, {true, 1 << 20, 4},
	}
	for i := range uint64(2) {
		generated := ndjson(t, demo.National(context.Background(), seed+i, 0.001))
		exported := importExport(t, generated, importSetting{false, 32 << 20, 2})
		if !slices.EqualFunc(sortedLines(exported), sortedLines(generated), bytes.Equal) {
			t.Fatalf("seed %d: the export of the generated dataset has other lines than it", seed+i)
		}
		for _, set := range settings {
			t.Run(fmt.Sprintf("seed %d %+v", seed+i, set), func(t *testing.T) {
				if got := importExport(t, exported, set); !bytes.Equal(got, exported) {
					t.Fatalf("the export differs from the %d bytes imported, first at line %d", len(exported), firstDiff(got, exported))
				}
			})
		}
	}
}

// sortedLines are the lines of nd in byte order.
func sortedLines(nd []byte) [][]byte {
	lines := bytes.Split(nd, []byte("\n"))
	slices.SortFunc(lines, bytes.Compare)
	return lines
}

// TestFileOnlyImportRefusesWrites: a store that imported without building
// its graph takes the import's audit entry and refuses any other write, and
// a second import, until it is opened again, which finds the dataset.
func TestFileOnlyImportRefusesWrites(t *testing.T) {
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	s, err := OpenForImport(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(s, nil)
	if _, err := svc.Import(ctx, dataset.NewReader(bytes.NewReader(manyMembers(t, 10, false)))); err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateOrg(ctx, org.NewOrg{Name: "Tỉnh mới", Kind: org.Province})
	if !errors.Is(err, errUnloaded) {
		t.Fatalf("a write after a file-only import: %v, want %v", err, errUnloaded)
	}
	if _, err := s.Import(ctx, dataset.NewReader(bytes.NewReader(manyMembers(t, 3, false)))); !errors.Is(err, org.ErrNotEmpty) {
		t.Fatalf("a second import after a file-only one: %v, want %v", err, org.ErrNotEmpty)
	}
	s.Close()
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := exportOf(t, s); len(got) != 4+10 {
		t.Fatalf("%d records after a reopen, want %d", len(got), 4+10)
	}
	if n, _ := s.AuditCount(ctx); n != 2 {
		t.Fatalf("%d audit entries, want the import's and the refused write's", n)
	}
}
