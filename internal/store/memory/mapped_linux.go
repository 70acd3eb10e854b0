package memory

import (
	"errors"
	"os"
	"syscall"
)

// releaseMapped tells the kernel the process no longer needs the n bytes of
// the file mapped at addr: it unmaps their pages, which are clean, and a
// later read faults them back in from the page cache.
func releaseMapped(addr uintptr, n int64) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(n), syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}

// mapFile maps the first n bytes of f read-only; unmap lets go of them.
func mapFile(f *os.File, n int64) (data []byte, unmap func(), err error) {
	if data, err = syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED); err != nil {
		return nil, nil, err
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

// lockShared takes a shared lock of f that a process writing the file (an
// exclusive lock, bbolt's) holds off, without waiting; it reports false
// when such a process has it.
func lockShared(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
