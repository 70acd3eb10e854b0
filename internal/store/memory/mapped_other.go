//go:build !linux

package memory

import "os"

func releaseMapped(uintptr, int64) error { return nil }

// mapFile reads the first n bytes of f: no mapping here.
func mapFile(f *os.File, n int64) ([]byte, func(), error) {
	data := make([]byte, n)
	_, err := f.ReadAt(data, 0)
	return data, func() {}, err
}

// lockShared is a no-op here: bbolt's own lock still refuses a second writer.
func lockShared(*os.File) (bool, error) { return true, nil }
