package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/custody"
)

// TestEveryFileReadNamesTheFile (issue 15, fix15s item 6): `epcis hash
// /etc/passwd` said "body is not valid JSON: invalid character 'r'…"
// without naming the file. Every command that reads a file — an
// argument, or a flag's (--rules, --checkpoint, --old, --revocations,
// --terms, --pubkey) — names it in the error when the file is not what
// it reads; here each reads a copy of a passwd file (root:x:0:0:…).
func TestEveryFileReadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "passwd")
	if err := os.WriteFile(bad, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "f.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "k.key")
	pub, err := custody.GenerateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		names string
	}{
		{[]string{"epcis", "hash", bad}, bad},
		{[]string{"plan", bad}, bad},
		{[]string{"lot", "rules", "--db", db, "--rules", bad, "urn:t:lot:X"}, "--rules " + bad},
		{[]string{"serve", "--db", filepath.Join(dir, "s.db"), "--addr", "127.0.0.1:0", "--rules", bad}, "--rules " + bad},
		{[]string{"log", "consistency", "--db", db, "--key", key, "--checkpoint", bad}, "--checkpoint " + bad},
		{[]string{"log", "check", "--pubkey", pub, bad}, bad},
		{[]string{"verify", "--db", db, "--pubkey", pub, "--checkpoint", bad}, "--checkpoint " + bad},
		{[]string{"verify-cert", "--pubkey", pub, bad}, bad},
		{[]string{"verify-cert", "--pubkey", pub, "--revocations", bad, bad}, "--revocations " + bad},
		{[]string{"verify-cert", "--pubkey", bad, bad}, "--pubkey " + bad},
		{[]string{"verify-bundle", "--pubkey", pub, bad}, bad},
		{[]string{"data", "import", "--db", db, "--edition", "e1", bad}, bad},
		{[]string{"trade", "contract", "add", "--db", db, bad}, bad},
		{[]string{"trade", "prices", "import", "--db", db, bad}, bad},
		{[]string{"trade", "agreement", "add", "--db", db, bad}, bad},
		{[]string{"trade", "settle", "--db", db, "--terms", bad, "--lot", "urn:t:lot:X"}, "--terms " + bad},
	} {
		_, _, err := run(t, nil, c.args...)
		if err == nil || !strings.Contains(cli.Describe(err), c.names+": ") {
			t.Errorf("%v: %v; want the error to name %s", c.args[:2], cli.Describe(err), c.names)
		}
	}
}
