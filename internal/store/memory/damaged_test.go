package memory

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// TestDamagedFileRefused: an existing store file that is empty, cut short,
// random bytes or has broken pages is refused with a DamagedError that says
// how to restore, left as it was, and never crashes the process.
func TestDamagedFileRefused(t *testing.T) {
	good, valid, m := importedFile(t, fullRecords())
	dataEnd := int(m.hw) * int(m.pageSize)
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	brokenPages := bytes.Clone(valid[:dataEnd])
	copy(brokenPages[2*m.pageSize:], random(dataEnd-2*int(m.pageSize)))
	for _, tc := range []struct {
		name    string
		content []byte
		reason  string
	}{
		{"zero bytes", nil, "empty"},
		{"cut to half its data", valid[:dataEnd/2], "cut short"},
		{"cut inside its meta pages", valid[:m.pageSize+100], "meta pages"},
		{"random bytes", random(1 << 20), "not a bbolt database"},
		{"broken pages behind intact metas", brokenPages, "calls itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir, nil)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			var d *DamagedError
			if !errors.As(err, &d) || !strings.Contains(err.Error(), tc.reason) ||
				!strings.Contains(err.Error(), "dangbo import") || !strings.Contains(err.Error(), "backup") {
				t.Fatalf("err = %v", err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, tc.content) {
				t.Fatalf("the refused file was changed: %d bytes, was %d", len(after), len(tc.content))
			}
		})
	}
	// The sound file still opens, and so does a directory without a file.
	for _, dir := range []string{good, t.TempDir()} {
		s, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestFlippedPageHeadersRefused: a flip of any bit of any page header of a
// sound file either leaves a file that opens (a free page's) or is refused
// as damaged with the advice, and leaves the file as it was; it never ends
// the process, as bbolt's rebuild of the freelist did in a goroutine of its
// own (`panic: freepages: …`). So does a flip of any bit of the keys of the
// members' pages, which bbolt's rebuild finds out of order.
func TestFlippedPageHeadersRefused(t *testing.T) {
	// Enough members for branch pages in the members' tree.
	var recs, rest []org.Record
	for _, r := range fullRecords() {
		if r.Member != nil || r.Org != nil {
			recs = append(recs, r)
		} else {
			rest = append(rest, r)
		}
	}
	for i := range 1500 {
		for _, r := range fullRecords() {
			if r.Member != nil {
				m := *r.Member
				m.ID = fmt.Sprintf("%s-%d", m.ID, i)
				recs = append(recs, org.Record{Member: &m})
			}
		}
	}
	_, valid, m := importedFile(t, append(recs, rest...))
	ps := int(m.pageSize)
	// Every bit of each page's flags and count, the low byte and the top
	// bit of its id and overflow, and a sample of its elements and keys.
	var bits []int // bit offsets into the file
	for p := 2; p < int(m.hw); p += max(1, int(m.hw)/40) {
		at := 8 * p * ps
		for _, b := range []int{63, 64 + 31} {
			bits = append(bits, at+b)
		}
		for b := range 8 {
			bits = append(bits, at+b, at+96+b)
		}
		for b := 64; b < 96; b++ {
			bits = append(bits, at+b)
		}
		for b := 8 * boltPageHeader; b < 8*(boltPageHeader+256); b += 29 {
			bits = append(bits, at+b)
		}
	}
	// checkFile, then bbolt's open with the store's freelist option (its
	// walk is what crashed), for every flip; the whole Open for a sample, as
	// each costs the log's fsyncs.
	refused := 0
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, valid, 0o600); err != nil {
		t.Fatal(err)
	}
	set := func(bit int, flipped bool) { // in place: the file is large
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b := []byte{valid[bit/8]}
		if flipped {
			b[0] ^= 1 << (bit % 8)
		}
		if _, err := f.WriteAt(b, int64(bit/8)); err != nil {
			t.Fatal(err)
		}
	}
	for i, bit := range bits {
		set(bit, true)
		if i%200 == 0 {
			if s, err := Open(dir, nil); err == nil {
				s.Close()
			} else if d := (*DamagedError)(nil); !errors.As(err, &d) || !strings.Contains(err.Error(), "dangbo import") {
				t.Fatalf("bit %d of page %d: err = %v", bit%(8*ps), bit/8/ps, err)
			}
			if err := os.WriteFile(path, valid, 0o600); err != nil { // Open may have written
				t.Fatal(err)
			}
			continue
		}
		if _, err := checkFile(path); err != nil {
			if d := (*DamagedError)(nil); !errors.As(err, &d) {
				t.Fatalf("bit %d of page %d: err = %v", bit%(8*ps), bit/8/ps, err)
			}
			refused++
		} else if err := guarded(path, func() error {
			db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true})
			if err == nil {
				db.Close()
			}
			return err
		}); err != nil {
			t.Logf("bit %d of page %d: bbolt refused what checkFile let through: %v", bit%(8*ps), bit/8/ps, err)
		}
		set(bit, false)
	}
	if refused == 0 {
		t.Fatal("no flip was refused")
	}
	t.Logf("%d of %d flips refused", refused, len(bits))
}

// TestUnreadableRecordRefused: a record whose bytes changed inside sound
// pages (bbolt keeps no checksums of them) that no longer decodes is
// refused like a damaged page, with the advice, and left as it was (the
// log's replay may have committed before the records were read).
func TestUnreadableRecordRefused(t *testing.T) {
	dir, _, _ := importedFile(t, fullRecords())
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var key, cut []byte
	if err := db.Update(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(memberBucket).Cursor().First()
		key, cut = bytes.Clone(k), bytes.Clone(v[:len(v)/2])
		return tx.Bucket(memberBucket).Put(k, cut)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r, err := Open(dir, nil)
	var d *DamagedError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), "record") || !strings.Contains(err.Error(), "dangbo import") {
		if err == nil {
			r.Close()
		}
		t.Fatalf("err = %v", err)
	}
	if db, err = bolt.Open(path, 0o600, nil); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(memberBucket).Get(key); !bytes.Equal(v, cut) {
			t.Errorf("the unreadable record was rewritten: %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestChangedRecordRefused: a letter of a member's name changed inside the
// file, where bbolt's pages keep no checksum, is refused as damage with the
// advice instead of served.
func TestChangedRecordRefused(t *testing.T) {
	dir, file, _ := importedFile(t, fullRecords())
	path := filepath.Join(dir, FileName)
	name := []byte("Vũ Thị Lan")
	if !bytes.Contains(file, name) {
		t.Fatal("the name is not in the file")
	}
	file = bytes.ReplaceAll(file, name, []byte("Lũ Thị Lan"))
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, nil)
	var d *DamagedError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), "checksum") || !strings.Contains(err.Error(), "dangbo import") {
		if err == nil {
			r.Close()
		}
		t.Fatalf("err = %v", err)
	}
}

// importedFile is a new store's directory with recs imported and closed,
// its file's bytes and its meta.
func importedFile(t *testing.T, recs []org.Record) (dir string, file []byte, m boltMeta) {
	t.Helper()
	dir = t.TempDir()
	openStore(t, dir, recs).Close()
	file, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := readMeta(bytes.NewReader(file), 0)
	if !ok {
		t.Fatal("no valid meta in a file bbolt wrote")
	}
	return dir, file, m
}
