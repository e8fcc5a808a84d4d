package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/bench"
)

// Each wrong bench soak flag is refused naming that flag (and, for
// --events, the capture limit of 10,000 events a document), before any
// server starts: --events 10001 used to run a campaign in which every
// document was refused and print lost=0.
func TestSoakFlagsNamed(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--events", "10001"}, []string{"--events", "10000"}},
		{[]string{"--cycles", "0"}, []string{"--cycles"}},
		{[]string{"--loaders", "0"}, []string{"--loaders"}},
		{[]string{"--events", "0"}, []string{"--events"}},
		{[]string{"--min-up", "5s", "--max-up", "1s"}, []string{"--max-up", "--min-up"}},
		{[]string{"--min-up", "0s"}, []string{"--min-up"}},
		{[]string{"--postgres", "/tmp/x.db"}, []string{"--postgres", "not a PostgreSQL URL"}},
	} {
		env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }, Executable: "/nonexistent/critmin"}
		err := runBenchSoak(context.Background(), env, c.args)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("bench soak %v: %v; want it to name %q", c.args, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "--cycles, --loaders and --events") && c.args[0] != "--cycles" {
			t.Errorf("bench soak %v: %v; want only the wrong flag named", c.args, err)
		}
	}
}

// A campaign in which nothing was acknowledged, or a capture was refused
// with a 4xx, fails with a message saying so, whatever lost and partial
// are (0 lost of 0 acknowledged proves nothing).
func TestSoakFailsWhenNothingAcknowledged(t *testing.T) {
	if err := soakOutcome(&bench.SoakResult{Documents: 5, Unacknowledged: 50}); err == nil || !strings.Contains(err.Error(), "no event was acknowledged") {
		t.Errorf("nothing acknowledged: %v", err)
	}
	if err := soakOutcome(&bench.SoakResult{Documents: 5, Acknowledged: 40, Refused: 1, FirstRefusal: "413 too large"}); err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "413 too large") {
		t.Errorf("a refusal: %v", err)
	}
	if err := soakOutcome(&bench.SoakResult{Documents: 5, Acknowledged: 200}); err != nil {
		t.Errorf("a good campaign: %v", err)
	}
}
