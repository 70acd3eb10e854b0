package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"
)

// DamagedError is a store file that exists but cannot be what dangbo wrote:
// empty, cut short, or not a bbolt file. The store refuses to open it rather
// than start afresh over it (and, worse, seed the demo into it) or crash.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the store file %s is damaged: %s. It was left as it is and nothing was served. "+
		"Restore it from a backup, or move it aside and load the last export into an empty data directory "+
		"with `dangbo import FILE`", e.Path, e.Reason)
}

// The layout of bbolt's meta pages (go.etcd.io/bbolt/internal/common): pages
// 0 and 1 each hold a page header, then the meta, whose last field is an
// FNV-64a checksum of the fields before it.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	boltPageHeader  = 16
	boltMetaSize    = 64
	boltChecksumOff = 56
	boltMinPageSize = 1 << 9
	boltMaxPageSize = 1 << 16
	boltNoFreelist  = ^uint64(0)
)

// boltMeta is what checkFile needs of a meta page.
type boltMeta struct {
	pageSize           uint32
	root, freelist, hw uint64 // hw: the first page past the data
	txid               uint64
}

// checkFile tells whether the bbolt file at path can be opened without bbolt
// crashing on it: bbolt trusts its file, and maps pages past the end of a
// truncated one (SIGBUS, which no recover catches), follows random bytes
// as page ids (a panic), or panics in a goroutine of its own over a page
// header or keys it finds wrong (checkPages). A missing file is fine: bbolt
// creates it. It looks while holding off a process writing the file, and
// waits a second for one, as bbolt does.
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	for deadline := time.Now().Add(lockTimeout); ; time.Sleep(50 * time.Millisecond) {
		locked, err := lockShared(f)
		if err != nil {
			return true, err
		}
		if locked {
			break
		}
		if time.Now().After(deadline) {
			return true, errInUse(path)
		}
	}
	m, err := checkMeta(f, path)
	if err != nil {
		return true, err
	}
	return true, checkPages(f, path, m)
}

// lockTimeout is how long Open waits for another process to let go of the file.
const lockTimeout = time.Second

// errInUse refuses a file another process has open.
func errInUse(path string) error { return fmt.Errorf("memory: %s is in use by another process", path) }

// checkMeta is checkFile's look at the meta pages of the open file f; it
// returns the meta bbolt will use.
func checkMeta(f *os.File, path string) (boltMeta, error) {
	info, err := f.Stat()
	if err != nil {
		return boltMeta{}, err
	}
	size := info.Size()
	damaged := func(format string, args ...any) (boltMeta, error) {
		return boltMeta{}, &DamagedError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if size == 0 {
		return damaged("it is empty (0 bytes)")
	}
	// Page 0's meta names the page size; if it is torn, page 1's is found at
	// one of the sizes bbolt may have used.
	var metas []boltMeta
	if m, ok := readMeta(f, 0); ok {
		metas = append(metas, m)
		if m1, ok := readMeta(f, int64(m.pageSize)); ok && m1.pageSize == m.pageSize {
			metas = append(metas, m1)
		}
	} else {
		for ps := int64(boltMinPageSize); ps <= boltMaxPageSize; ps *= 2 {
			if m1, ok := readMeta(f, ps); ok && int64(m1.pageSize) == ps {
				metas = append(metas, m1)
				break
			}
		}
	}
	if len(metas) == 0 {
		return damaged("it is not a bbolt database (no valid meta page among its first bytes)")
	}
	m := metas[0] // the one bbolt uses: the latest valid transaction
	if len(metas) == 2 && metas[1].txid > m.txid {
		m = metas[1]
	}
	ps := uint64(m.pageSize)
	switch {
	case uint64(size) < 2*ps:
		return damaged("it is %d bytes long, less than its two meta pages of %d bytes", size, ps)
	case m.hw < 4 || m.root < 2 || m.root >= m.hw || (m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.hw)):
		return damaged("its meta page names pages that cannot exist (root %d, freelist %d, end %d)", m.root, m.freelist, m.hw)
	case uint64(size) < m.hw*ps:
		return damaged("it is %d bytes long but its data reaches %d bytes: it was cut short", size, m.hw*ps)
	}
	return m, nil
}

// readMeta reads the meta of the page at offset off and checks its magic,
// version, page size and checksum.
func readMeta(r io.ReaderAt, off int64) (boltMeta, bool) {
	buf := make([]byte, boltPageHeader+boltMetaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		return boltMeta{}, false
	}
	b := buf[boltPageHeader:]
	ne := binary.NativeEndian // bbolt writes its structs as they lie in memory
	h := fnv.New64a()
	h.Write(b[:boltChecksumOff])
	m := boltMeta{pageSize: ne.Uint32(b[8:]), root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]),
		hw: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	ok := ne.Uint32(b[0:]) == boltMagic && ne.Uint32(b[4:]) == boltVersion &&
		m.pageSize >= boltMinPageSize && m.pageSize <= boltMaxPageSize && m.pageSize&(m.pageSize-1) == 0 &&
		ne.Uint64(b[boltChecksumOff:]) == h.Sum64()
	return m, ok
}

// guarded runs fn, turning a panic of bbolt over a damaged page, or a fault
// reading the mapped file, into a DamagedError: a file whose meta pages are
// intact may still hold broken pages, which bbolt discovers by panicking.
// Opening walks every page (bbolt rebuilds the freelist from the tree, as
// NoFreelistSync asks) and loading decodes every record but the audit log's,
// so broken pages show here. bbolt's tx.Check (80 ms on the demo) is not run: it reads the pages
// in a goroutine of its own, where such a panic would end the process.
func guarded(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprintf("reading it failed (%v)", p)}
		}
	}()
	return fn()
}
