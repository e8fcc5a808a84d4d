package critmin

import "context"

// ProgressFunc receives the advance of a long operation: its stage
// ("validate", "chain", "rebuild" …), how much of the stage is done and
// its total (0 when unknown). It is called often; the receiver decides
// what to show (the CLI prints to stderr, and only on a terminal or with
// --progress, so that machine-readable stdout stays clean).
type ProgressFunc func(stage string, done, total int64)

type progressKey struct{}

// WithProgress returns a context whose long operations report to fn.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// Progress returns the context's progress receiver, or one that does
// nothing. Loops fetch it once and call it per item.
func Progress(ctx context.Context) ProgressFunc {
	if fn, ok := ctx.Value(progressKey{}).(ProgressFunc); ok && fn != nil {
		return fn
	}
	return func(string, int64, int64) {}
}
