package memory

import "syscall"

// releaseMapped tells the kernel the process no longer needs the n bytes of
// the file mapped at addr: it unmaps their pages, which are clean, and a
// later read faults them back in from the page cache.
func releaseMapped(addr uintptr, n int64) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(n), syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
