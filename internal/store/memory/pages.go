package memory

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"runtime/debug"
)

// bbolt's page layout (go.etcd.io/bbolt/internal/common): a header of 16
// bytes (id, flags, count, overflow), then count elements of 16 bytes each,
// whose keys and values lie further on in the page.
const (
	boltBranchPage = 0x01
	boltLeafPage   = 0x02
	boltBucketLeaf = 0x01 // a leaf element's flag: its value is a bucket
	boltElemSize   = 16
	boltBucketSize = 16 // a bucket's header in its value: root page, sequence
)

// checkPages walks the B+tree of the bbolt file f as bbolt's own open walks
// it to rebuild the freelist (NoFreelistSync), and reports the first page
// header, element or key out of order that bbolt's walk would meet: bbolt
// reports those by panicking in a goroutine of its own (`freepages: …`),
// which ends the process, where here they are a DamagedError like any other.
// The walk is stricter than bbolt's: a page must call itself by its number.
func checkPages(f *os.File, path string, m boltMeta) (err error) {
	data, unmap, err := mapFile(f, int64(m.hw)*int64(m.pageSize))
	if err != nil {
		return fmt.Errorf("memory: map %s: %w", path, err)
	}
	defer unmap()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() { // the file shrank under the walk
		if p := recover(); p != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprintf("reading it failed (%v)", p)}
		}
	}()
	w := pageWalk{data: data, ps: uint64(m.pageSize), hw: m.hw, seen: make([]bool, m.hw)}
	if err := w.bucket(m.root); err != nil {
		return &DamagedError{Path: path, Reason: err.Error()}
	}
	return nil
}

// pageWalk is checkPages' walk over the mapped file data.
type pageWalk struct {
	data   []byte
	ps, hw uint64
	seen   []bool // pages some page covers
}

// bucket checks the tree of the bucket whose root is page root, then the
// trees of the buckets it holds (an inline bucket, root 0, has no pages).
func (w *pageWalk) bucket(root uint64) error {
	if root == 0 {
		return nil
	}
	var children []uint64
	if _, err := w.page(root, nil, nil, &children); err != nil {
		return err
	}
	for _, c := range children {
		if err := w.bucket(c); err != nil {
			return err
		}
	}
	return nil
}

// page checks page id and the pages below it, whose keys must lie in
// [lo, hi) (nil: unbounded), as bbolt's walk orders them; it returns the
// last key under it and adds the roots of the buckets its leaves hold.
func (w *pageWalk) page(id uint64, lo, hi []byte, children *[]uint64) (last []byte, err error) {
	ne := binary.NativeEndian // bbolt writes its structs as they lie in memory
	if id < 2 || id >= w.hw {
		return nil, fmt.Errorf("a page names page %d, outside its %d pages", id, w.hw)
	}
	h := w.data[id*w.ps:]
	self, flags, count, overflow := ne.Uint64(h), ne.Uint16(h[8:]), int(ne.Uint16(h[10:])), uint64(ne.Uint32(h[12:]))
	switch {
	case self != id:
		return nil, fmt.Errorf("page %d calls itself page %d", id, self)
	case overflow >= w.hw-id:
		return nil, fmt.Errorf("page %d runs past the end of the data", id)
	case flags != boltBranchPage && flags != boltLeafPage:
		return nil, fmt.Errorf("page %d is of no kind a tree holds (flags %#x)", id, flags)
	}
	for p := id; p <= id+overflow; p++ {
		if w.seen[p] {
			return nil, fmt.Errorf("page %d is reached twice", p)
		}
		w.seen[p] = true
	}
	p := w.data[id*w.ps : (id+1+overflow)*w.ps]
	if boltPageHeader+count*boltElemSize > len(p) {
		return nil, fmt.Errorf("page %d holds more elements than fit in it", id)
	}
	// elem returns element i's key, and a leaf's value and flags.
	elem := func(i int) (key, value []byte, eflags uint32, child uint64, err error) {
		at := boltPageHeader + i*boltElemSize
		e := p[at:]
		var pos, ksize, vsize uint64
		if flags == boltBranchPage {
			pos, ksize, child = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:])), ne.Uint64(e[8:])
		} else {
			eflags, pos, ksize, vsize = ne.Uint32(e), uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		}
		start := uint64(at) + pos
		if ksize == 0 || start+ksize+vsize > uint64(len(p)) {
			return nil, nil, 0, 0, fmt.Errorf("page %d: element %d lies outside the page", id, i)
		}
		return p[start : start+ksize], p[start+ksize : start+ksize+vsize], eflags, child, nil
	}
	prev := lo
	for i := range count {
		key, value, eflags, child, err := elem(i)
		if err != nil {
			return nil, err
		}
		if c := bytes.Compare(prev, key); (i == 0 && prev != nil && c > 0) || (i > 0 && c >= 0) ||
			(hi != nil && bytes.Compare(key, hi) >= 0) {
			return nil, fmt.Errorf("page %d: the keys are out of order at element %d", id, i)
		}
		if flags == boltLeafPage {
			prev = key
			if eflags&boltBucketLeaf != 0 {
				if len(value) < boltBucketSize {
					return nil, fmt.Errorf("page %d: element %d is a bucket too short to be one", id, i)
				}
				*children = append(*children, ne.Uint64(value))
			}
			continue
		}
		next := hi
		if i+1 < count {
			if next, _, _, _, err = elem(i + 1); err != nil {
				return nil, err
			}
		}
		if prev, err = w.page(child, key, next, children); err != nil {
			return nil, err
		}
	}
	if count == 0 {
		return nil, nil // as bbolt's walk: an empty page bounds nothing after it
	}
	return prev, nil
}
