package solver

// #include <stdio.h>
// #include <stdlib.h>
// static FILE *saved_stdout;
// // swap_stdout points C stdio's stdout stream (not file descriptor 1) at
// // a new temporary file; the descriptor and Go's os.Stdout are untouched.
// static FILE *swap_stdout(void) {
//	FILE *f = tmpfile();
//	if (f == NULL) return NULL;
//	fflush(stdout);
//	saved_stdout = stdout;
//	stdout = f;
//	return f;
// }
// static void unswap_stdout(FILE *f) { fflush(f); stdout = saved_stdout; }
// static long log_size(FILE *f) { if (fseek(f, 0, SEEK_END) != 0) return -1; long n = ftell(f); rewind(f); return n; }
// static size_t read_log(FILE *f, char *buf, size_t n) { return fread(buf, 1, n, f); }
import "C"

import (
	"fmt"
	"github.com/critmin/critmin/units"
	"sync"
	"unsafe"
)

// MaxLogBytes bounds a captured solver log: past it the log keeps its
// first and last halves with a line saying how much was left out.
const MaxLogBytes = 256 << 10

// stdoutMu serialises captures of C stdio's stdout stream.
var stdoutMu sync.Mutex

// captureStdout runs f with C stdio's stdout stream pointing at a
// temporary file and returns what was written to it. COIN-OR's message
// handlers print with C stdio to the stdout stream (CoinMessageHandler
// keeps the FILE* stdout holds when the handler is made; CbcMain1 uses
// printf), and offer no other text sink through the C interface (their
// callbacks get message numbers, not the text). Only the C library's
// stdout variable is swapped: file descriptor 1 is never touched, so Go's
// os.Stdout — a server's output, go test's own lines — keeps going where
// it went while a solve runs. C code of other goroutines printing with
// stdio meanwhile would land in the log; in critmin that is only COIN-OR,
// whose other solves run at log level 0.
func captureStdout(f func()) (string, error) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	file := C.swap_stdout()
	if file == nil {
		return "", fmt.Errorf("solver: no temporary file for the solver's log")
	}
	defer C.fclose(file)
	func() {
		defer C.unswap_stdout(file)
		f()
	}()
	n := int(C.log_size(file))
	if n < 0 {
		return "", fmt.Errorf("solver: cannot read the solver's log")
	}
	if n == 0 {
		return "", nil
	}
	buf := C.malloc(C.size_t(n))
	defer C.free(buf)
	got := int(C.read_log(file, (*C.char)(buf), C.size_t(n)))
	return clipLog(string(unsafe.Slice((*byte)(buf), got))), nil
}

// clipLog keeps a log within MaxLogBytes.
func clipLog(s string) string {
	if len(s) <= MaxLogBytes {
		return s
	}
	half := MaxLogBytes / 2
	return s[:half] + "\n[… " + units.Int(len(s)-2*half) + " bytes of the solver's log left out …]\n" + s[len(s)-half:]
}
