package memory

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dangbo/internal/dataset"
	"dangbo/internal/org"
)

// manyMembers is the organisations of fullRecords and n members in its
// school cell, as NDJSON, then a member in a cell that does not exist when
// bad is set.
func manyMembers(t testing.TB, n int, bad bool) []byte {
	var nd bytes.Buffer
	w := dataset.NewWriter(&nd)
	for _, r := range fullRecords()[:4] {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	m := fullRecords()[4].Member
	for i := range n {
		mi := m.Clone()
		mi.ID, mi.FullName = fmt.Sprintf("m%06d", i), fmt.Sprintf("Đảng viên số %d", i)
		if bad && i == n-1 {
			mi.Stints[1].CellID = "onowhere"
		}
		if err := w.Write(org.Record{Member: &mi}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return nd.Bytes()
}

// smallChunks makes imports commit every few kilobytes, for the test.
func smallChunks(t *testing.T) {
	old := importChunk
	importChunk = 4 << 10
	t.Cleanup(func() { importChunk = old })
}

// TestImportFailingAfterCommitsWritesNothing: an import that has committed
// members when it meets a bad record leaves the store empty, before and
// after a reopen, and the store then takes a good import.
func TestImportFailingAfterCommitsWritesNothing(t *testing.T) {
	smallChunks(t)
	dir, ctx := t.TempDir(), org.WithPrincipal(context.Background(), org.System)
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Past two batches of members, each committed before the third, with
	// the bad member, is checked.
	const n = 10000
	if _, err := s.Import(ctx, dataset.NewReader(bytes.NewReader(manyMembers(t, n, true)))); org.ErrorCode(err) != org.ERule {
		t.Fatalf("import with a bad last member: %v, want %s", err, org.ERule)
	}
	// The file grows only when a commit needs room: the members were there.
	if info, err := os.Stat(filepath.Join(dir, FileName)); err != nil || info.Size() < 2<<20 {
		t.Fatalf("the failed import committed nothing (file %v, %v): the test proves nothing", info.Size(), err)
	}
	if got := exportOf(t, s); len(got) != 0 {
		t.Fatalf("%d records after a failed import", len(got))
	}
	s.Close()
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := exportOf(t, s); len(got) != 0 {
		t.Fatalf("%d records after a failed import and a reopen", len(got))
	}
	stats, err := s.Import(ctx, dataset.NewReader(bytes.NewReader(manyMembers(t, n, false))))
	if err != nil || stats.Members != n {
		t.Fatalf("import after a failed one: %+v, %v", stats, err)
	}
	if got := exportOf(t, s); len(got) != 4+n {
		t.Fatalf("%d records after the import, want %d", len(got), 4+n)
	}
}

// importChild imports crashMembers members into the store at dir, committing
// every few kilobytes, after printing "importing"; it prints "imported" once
// the import has returned; with DANGBO_IMPORT_FILE_ONLY set, the store is
// opened to import only (OpenForImport). See TestKillNineDuringImport.
func importChild(dir string) {
	importChunk = 4 << 10
	nd := manyMembers(&testing.B{}, crashMembers, false)
	open := Open
	if os.Getenv("DANGBO_IMPORT_FILE_ONLY") != "" {
		open = OpenForImport
	}
	s, err := open(dir, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	fmt.Println("importing")
	if _, err := s.Import(org.WithPrincipal(context.Background(), org.System), dataset.NewReader(bytes.NewReader(nd))); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("imported")
	s.Close()
}

const crashMembers = 20000

// TestKillNineDuringImport kills an import at random moments, one building
// the graph or one writing only the file (OpenForImport) in turn. Whatever
// it had committed, the store opens afterwards holding all of the dataset or
// none of it; at least one kill must land in the middle, which Open reports
// as an interrupted import it discarded.
func TestKillNineDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	discarded := 0
	for round := range 8 {
		t.Setenv("DANGBO_IMPORT_FILE_ONLY", map[bool]string{true: "1"}[round%2 == 1])
		dir := t.TempDir()
		cmd, stdout := startChild(t, "DANGBO_IMPORT_CHILD", dir)
		out := bufio.NewScanner(stdout)
		if !out.Scan() || out.Text() != "importing" {
			t.Fatalf("round %d: child: %q", round, out.Text())
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		finished := out.Scan() && out.Text() == "imported"
		_ = cmd.Wait()

		var log bytes.Buffer
		s, err := Open(dir, slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil {
			t.Fatalf("round %d: the file does not open after kill -9: %v", round, err)
		}
		g := s.active.Load().g
		members, orgs := len(g.members), len(g.orgs)
		s.Close()
		if orgs != map[bool]int{true: 0, false: 4}[members == 0] {
			t.Fatalf("round %d: %d organisations with %d members after kill -9", round, orgs, members)
		}
		interrupted := strings.Contains(log.String(), "discarded")
		switch {
		case members != 0 && members != crashMembers:
			t.Fatalf("round %d: %d members after kill -9, want 0 or %d", round, members, crashMembers)
		case finished && members == 0:
			t.Fatalf("round %d: the import returned, then its members were lost", round)
		case interrupted && members != 0:
			t.Fatalf("round %d: an interrupted import was discarded and %d members are left", round, members)
		case interrupted:
			discarded++
		}
		t.Logf("round %d: %d members after kill -9 (import returned: %v, discarded: %v)", round, members, finished, interrupted)
	}
	if discarded == 0 {
		t.Fatal("no kill landed in the middle of an import: the test proved nothing")
	}
}
