//go:build unix

package toolbuild

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path, blocking until it is
// free, and returns the function that releases it. The kernel drops the lock
// if the process dies, so a killed build never wedges later runs.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
