package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// TestDamagedStoreRefused: serve, seed and export refuse a store file that
// is empty, cut short or random bytes, with a message saying how to restore
// and no stack trace, and leave it as it was: the demo is never seeded into it.
func TestDamagedStoreRefused(t *testing.T) {
	valid := t.TempDir()
	if out, err := exec.Command(binary, "seed", "--data", valid, "--demo-seed", "7").CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	whole, err := os.ReadFile(filepath.Join(valid, memory.FileName))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(i*7919 + i>>8)
	}
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"zero bytes", nil},
		{"cut to half", whole[:len(whole)/2]},
		{"random bytes", random},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, memory.FileName)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"serve", "--data", dir, "--dev", "--addr", "127.0.0.1:0"},
				{"seed", "--data", dir},
				{"export", "--data", dir, filepath.Join(dir, "out.ndjson")},
			} {
				cmd := exec.Command(binary, args...)
				cmd.Env = append(os.Environ(), "NEO4J_URI=")
				out, err := cmd.CombinedOutput()
				if err == nil || !strings.Contains(string(out), "is damaged") || !strings.Contains(string(out), "dangbo import") ||
					strings.Contains(string(out), "goroutine ") || strings.Contains(string(out), "panic") {
					t.Fatalf("dangbo %s: %v\n%s", args[0], err, out)
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, tc.content) {
					t.Fatalf("dangbo %s changed the file: %d bytes, was %d", args[0], len(after), len(tc.content))
				}
			}
		})
	}
}

// TestOnlyANewStoreIsSeeded: serve loads the demo into a data directory
// without a store file, not into an existing store that holds nothing.
func TestOnlyANewStoreIsSeeded(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command(binary, "export", "--data", dir, filepath.Join(t.TempDir(), "out.ndjson")).CombinedOutput(); err != nil {
		t.Fatalf("export of a new store: %v\n%s", err, out)
	}
	s := start(t, dir)
	if !strings.Contains(s.log.String(), "not loaded") || strings.Contains(s.log.String(), "demo data loaded") {
		t.Fatalf("log:\n%s", s.log)
	}
}

// TestSeedNational: seed --national loads the 34 provinces at the scale asked
// into a new store; a scale out of range is refused before anything is written.
func TestSeedNational(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command(binary, "seed", "--data", dir, "--national", "--national-scale", "0.003").CombinedOutput(); err != nil {
		t.Fatalf("seed --national: %v\n%s", err, out)
	}
	s, err := memory.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := s.Roots(t.Context(), org.View{At: demo.End})
	s.Close()
	if err != nil || len(roots) != 34 {
		t.Fatalf("%d provinces, %v", len(roots), err)
	}
	out, err := exec.Command(binary, "seed", "--data", t.TempDir(), "--national", "--national-scale", "0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--national-scale") {
		t.Fatalf("scale 0 accepted: %v\n%s", err, out)
	}
}
