//go:build linux

package oidctest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the provider if the test process
// dies without running its cleanups (a panic, or go test's timeout), so
// that no provider outlives its test, still holding its port.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
