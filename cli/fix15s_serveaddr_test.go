package cli_test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestServeChecksAddrBeforeCreatingAnything (issue 15, fix15s item 6):
// `serve --addr nonsense:port:1` printed Go's "too many colons" without
// naming --addr, and only after it had created the database and a
// signing key (and, with --demo, loaded the demo and printed its admin
// token), which the refused start then removed again. The address is now
// checked first: a malformed one is a usage error naming --addr (exit 2),
// one in use a refusal naming --addr, and neither start creates a key,
// loads the demo or prints a token (serve logs "created a certificate
// signing key" and prints "Demo admin token" when it does).
func TestServeChecksAddrBeforeCreatingAnything(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct{ addr, want string }{
		{"nonsense:port:1", `--addr (or CRITMIN_ADDR): "nonsense:port:1" is not HOST:PORT`},
		{"127.0.0.1:99999", `--addr (or CRITMIN_ADDR): "127.0.0.1:99999" is not HOST:PORT`},
		{busy.Addr().String(), "--addr (or CRITMIN_ADDR): cannot listen on " + busy.Addr().String()},
	} {
		db := filepath.Join(t.TempDir(), "critmin.db")
		out, stderr, err := run(t, nil, "serve", "--db", db, "--demo", "--addr", c.addr)
		if err == nil || !cli.UsageError(err) || !strings.Contains(cli.Describe(err), c.want) {
			t.Errorf("--addr %s: %v; want an exit-2 error with %q", c.addr, err, c.want)
		}
		if strings.Contains(stderr, "created a certificate signing key") || strings.Contains(out, "Demo admin token") {
			t.Errorf("--addr %s: the refused start created a key or loaded the demo first:\n%s%s", c.addr, out, stderr)
		}
	}
}
