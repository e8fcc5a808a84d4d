package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/critmin/critmin"
)

// progressFlag adds --progress to a long command's flags.
func progressFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("progress", false, "print progress to stderr (the default when stderr is a terminal); stdout is unchanged")
}

// isTerminal reports whether w is a character device (a terminal), so
// that progress is shown to people and kept out of logs and pipes.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressPrinter prints a command's progress on stderr: a line when a
// stage starts, then one at every tenth of its total (10 %, 20 % … 100 %),
// or every 10,000 items when the total is unknown. Lines depend only on
// the counts, never on the clock.
type progressPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	cmd   string
	stage string
	step  int64 // last printed tenth, or ten-thousand
}

// startProgress returns ctx with a progress printer for cmd when enabled
// (--progress, or stderr is a terminal), and the writer for progress lines
// of older code (io.Discard when disabled).
func startProgress(ctx context.Context, env *Env, flagged bool, cmd string) (context.Context, io.Writer) {
	if !flagged && !isTerminal(env.Stderr) {
		return ctx, io.Discard
	}
	p := &progressPrinter{w: env.Stderr, cmd: cmd}
	return critmin.WithProgress(ctx, p.report), prefixWriter{env.Stderr, cmd}
}

func (p *progressPrinter) report(stage string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var step int64
	if total > 0 {
		step = done * 10 / total
	} else {
		step = done / 10000
	}
	if stage == p.stage && step <= p.step {
		return
	}
	p.stage, p.step = stage, step
	switch {
	case total > 0:
		fmt.Fprintf(p.w, "%s: %s %s of %s (%d %%)\n", p.cmd, stage, count(done), count(total), done*100/total)
	case done > 0:
		fmt.Fprintf(p.w, "%s: %s %s\n", p.cmd, stage, count(done))
	default:
		fmt.Fprintf(p.w, "%s: %s…\n", p.cmd, stage)
	}
}

// count prints a count with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// prefixWriter prefixes each write (one progress line) with the command.
type prefixWriter struct {
	w   io.Writer
	cmd string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "%s: %s", p.cmd, b); err != nil {
		return 0, err
	}
	return len(b), nil
}
