package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// A long command whose context is cancelled (main's signal.NotifyContext
// on SIGINT or SIGTERM) stops with context.Canceled, and the terminal
// gets one line saying it was interrupted — not "context canceled" — and
// main exits 1 for it.
func TestInterruptedCommandSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	err := cli.Run(ctx, e, []string{"refinery", "reconcile", "../refinery/testdata/flotation.json"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("reconcile under a cancelled context: %v; want context.Canceled", err)
	}
	if cli.UsageError(err) {
		t.Error("an interrupt is not a usage error (exit 2)")
	}
	msg := cli.Describe(err)
	if !strings.HasPrefix(msg, "interrupted (SIGINT or SIGTERM)") || strings.Contains(msg, "\n") {
		t.Errorf("Describe: %q; want one line starting \"interrupted (SIGINT or SIGTERM)\"", msg)
	}
}
