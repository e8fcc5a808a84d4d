//go:build !linux

package solver

import (
	"os/exec"
)

// bindToParent: only Linux has a parent-death signal; elsewhere a worker
// is killed when its context is cancelled (graceful shutdown), not when
// the server is killed.
func bindToParent(cmd *exec.Cmd) {}

// processAlive cannot tell elsewhere, so stale directories are kept.
func processAlive(pid int) bool { return true }
