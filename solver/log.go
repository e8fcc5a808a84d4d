package solver

// #include <stdio.h>
// #include <unistd.h>
// static int redirect_stdout(int fd) { fflush(stdout); int saved = dup(1); if (saved >= 0) dup2(fd, 1); return saved; }
// static void restore_stdout(int saved) { fflush(stdout); dup2(saved, 1); close(saved); }
import "C"

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// MaxLogBytes bounds a captured solver log: past it the log keeps its
// first and last halves with a line saying how much was left out.
const MaxLogBytes = 256 << 10

// stdoutMu serialises captures of the process's standard output.
var stdoutMu sync.Mutex

// captureStdout runs f with file descriptor 1 pointing at a temporary
// file and returns what was written to it. COIN-OR's message handlers
// print with C stdio to stdout and offer no other sink through the C
// interface, so this is how an in-process solve's raw log is kept.
// Anything else the process writes to stdout while f runs lands in the
// log too; a server therefore solves its MIPs in worker processes
// (SolveIn), whose log is the worker's own output.
func captureStdout(f func()) (string, error) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	tmp, err := os.CreateTemp("", "critmin-solver-log")
	if err != nil {
		return "", fmt.Errorf("solver: log file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	saved := C.redirect_stdout(C.int(tmp.Fd()))
	if saved < 0 {
		return "", fmt.Errorf("solver: cannot redirect stdout for the log")
	}
	func() {
		defer C.restore_stdout(saved)
		f()
	}()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	b, err := io.ReadAll(tmp)
	if err != nil {
		return "", err
	}
	return clipLog(string(b)), nil
}

// clipLog keeps a log within MaxLogBytes.
func clipLog(s string) string {
	if len(s) <= MaxLogBytes {
		return s
	}
	half := MaxLogBytes / 2
	return s[:half] + fmt.Sprintf("\n[… %d bytes of the solver's log left out …]\n", len(s)-2*half) + s[len(s)-half:]
}
