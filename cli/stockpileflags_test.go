package cli_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestServeStockpileFlags (issue 14, fix14 item 3): the stockpile bound's
// flags and environment variables are checked before anything is
// opened, each refusal naming the flag (and its variable) and the range.
func TestServeStockpileFlags(t *testing.T) {
	dsn := "postgres://postgres@127.0.0.1:1/none?sslmode=disable"
	for _, c := range []struct {
		env       map[string]string
		args      []string
		flag, why string
	}{
		{nil, []string{"--stockpile-running", "0"}, "--stockpile-running", "from 1 to 1024"},
		{nil, []string{"--stockpile-queue", "-1"}, "--stockpile-queue", "from 0 to 10000"},
		{nil, []string{"--stockpile-wait", "1h"}, "--stockpile-wait", "from 0s to 10m"},
		{map[string]string{"CRITMIN_STOCKPILE_RUNNING": "many"}, nil, "CRITMIN_STOCKPILE_RUNNING", `"many"`},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, c.args...)
		_, _, err := run(t, c.env, args...)
		if err == nil || !cli.UsageError(err) || !strings.Contains(cli.Describe(err), c.flag) || !strings.Contains(cli.Describe(err), c.why) {
			t.Errorf("%v %v: %v; want a usage error naming %s (%s)", c.env, c.args, err, c.flag, c.why)
		}
	}
}
