//go:build !linux

package oidctest

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal: the test's cleanup still kills the provider.
func dieWithParent(*exec.Cmd) {}
