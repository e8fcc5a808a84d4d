package solver

import (
	"errors"
	"os/exec"
	"syscall"
)

// bindToParent makes the kernel kill the worker when this process dies
// (Pdeathsig, delivered when the thread that started it exits — Go keeps
// its threads for the life of the process), starts it in its own process
// group, and makes cancelling kill that group, so that nothing the worker
// started outlives it.
func bindToParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// processAlive reports whether a process with this ID exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
