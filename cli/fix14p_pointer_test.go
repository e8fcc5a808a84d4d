package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestValueRefusalsHaveNoUsagePointer (issue 14 final check, fix14p):
// `backup … EXISTING_FILE` and `token create --expires 30s` still ended
// with the "… for the usage" pointer, though the command line's form is
// right and the usage does not explain the fault (fix14o made such
// refusals pointer-free).
func TestValueRefusalsHaveNoUsagePointer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "old.bak")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{
		{"backup", "--db", db, existing},
		{"token", "create", "--db", db, "--name", "n", "--role", "viewer", "--expires", "30s"},
	} {
		_, _, err := run(t, nil, c...)
		if err == nil {
			t.Fatalf("%v: accepted", c)
		}
		if d := cli.Describe(err); strings.Contains(d, "for the usage") {
			t.Errorf("%v: %q carries the usage pointer", c, d)
		}
	}
}
