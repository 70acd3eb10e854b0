//go:build !linux

package memory

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
