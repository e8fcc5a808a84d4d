package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestCLIExplicitZeroOrEmpty: a flag given an explicit 0 or "" where
// leaving it out means a default is refused, naming the flag, never
// read as left out: --expires "" (a token that never expires),
// --country "" (PAK), log prove --size 0 (the current size), export
// --to 0 (the last record) or --from 0 (read as 1), and --lot beside
// --from/--to (which it overrode). Nothing is stored: the token is not
// created.
func TestCLIExplicitZeroOrEmpty(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": db}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "op.key")
	if _, _, err := run(t, nil, "keygen", "--out", key); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"token", "create", "--name", "n", "--role", "viewer", "--expires", ""}, "--expires"},
		{[]string{"token", "create", "--name", "n", "--role", "viewer", "--expires-at="}, "--expires-at"},
		{[]string{"risk", "corridor", "--commodity", "antimony", "--tonnes", "100", "--country", ""}, "--country"},
		{[]string{"log", "prove", "--key", key, "--event", "urn:critmin:demo:event:001", "--size", "0"}, "size"},
		{[]string{"export", "--key", key, "--out", filepath.Join(dir, "b.json"), "--to", "0"}, "--to"},
		{[]string{"export", "--key", key, "--out", filepath.Join(dir, "b.json"), "--from", "0"}, "--from"},
		{[]string{"export", "--key", key, "--out", filepath.Join(dir, "b.json"), "--lot", "x", "--from", "2"}, "--lot"},
	} {
		_, _, err := run(t, env, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%v: %v; want a refusal naming %s", c.args, err, c.flag)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b.json")); err == nil {
		t.Error("a refused export wrote its bundle")
	}
	out, _, err := run(t, env, "token", "list")
	if err != nil || strings.Contains(out, " n ") || strings.Contains(out, "\nn ") {
		t.Errorf("a refused token create stored a token: %v\n%s", err, out)
	}
	// An explicit --gap 0 is a plan, not a usage error.
	if _, _, err := run(t, nil, "plan", "demo", "--gap", "0", "--time-limit", "5s", "--json"); cli.UsageError(err) || err != nil {
		t.Errorf("plan --gap 0: %v", err)
	}
}
