package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyCommandsOpenReadOnly audits the CLI: every command that
// only reads opens its store with OpenStoreReadOnly (SQLite mode=ro,
// PostgreSQL read-only transactions), so it cannot write to the database
// it is given; commands that write open it read-write. critmin export,
// log checkpoint|prove, massbalance show|statement, refinery yields and
// the trade list, show, settle, nsr and exposure subcommands opened it
// read-write. Whether the command then finds what it asks for does not
// matter here: the open is recorded first.
func TestReadOnlyCommandsOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	key := filepath.Join(dir, "k.key")
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	for _, args := range [][]string{{"init", "--db", db}, {"keygen", "--out", key}} {
		if err := Run(context.Background(), env, args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	var modes []int
	storeOpened = func(_ string, mode int) { modes = append(modes, mode) }
	defer func() { storeOpened = nil }()
	for _, c := range []struct {
		args     []string
		readOnly bool
	}{
		{[]string{"export", "--key", key, "--out", filepath.Join(dir, "b.json")}, true},
		{[]string{"log", "checkpoint", "--key", key}, true},
		{[]string{"log", "prove", "--key", key, "--event", "urn:uuid:x"}, true},
		{[]string{"massbalance", "show", "--site", "urn:epc:id:sgln:0614141.00001.0"}, true},
		{[]string{"massbalance", "statement", "--site", "urn:epc:id:sgln:0614141.00001.0"}, true},
		{[]string{"refinery", "yields", "--site", "urn:epc:id:sgln:0614141.00001.0", "--period", "2025-01"}, true},
		{[]string{"trade", "contract", "list"}, true},
		{[]string{"trade", "contract", "show", "X"}, true},
		{[]string{"trade", "prices", "list"}, true},
		{[]string{"trade", "invoice", "list"}, true},
		{[]string{"trade", "invoice", "show", "X"}, true},
		{[]string{"trade", "agreement", "X"}, true},
		{[]string{"trade", "settle", "--terms", "X", "--lot", "L"}, true},
		{[]string{"trade", "nsr", "--lot", "L"}, true},
		{[]string{"trade", "exposure"}, true},
		{[]string{"lot", "show", "urn:x"}, true},
		{[]string{"lot", "trace", "urn:x"}, true},
		{[]string{"token", "list"}, true},
		{[]string{"events"}, true},
		{[]string{"verify"}, true},
		// Writers, for contrast.
		{[]string{"trade", "invoice", "issue", "--contract", "X", "--lot", "L", "--kind", "final"}, false},
		{[]string{"trade", "contract", "add", filepath.Join(dir, "none.json")}, false},
		{[]string{"token", "revoke", "nobody"}, false},
	} {
		modes = nil
		_ = Run(context.Background(), env, append(c.args, "--db", db))
		if len(modes) == 0 {
			t.Errorf("%v opened no store", c.args)
		}
		for _, m := range modes {
			if (m == openReadOnly) != c.readOnly {
				t.Errorf("%v opened the store in mode %d; read-only %v wanted", c.args, m, c.readOnly)
			}
		}
	}
}
