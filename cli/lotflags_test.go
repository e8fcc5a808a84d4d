package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotSubcommandsRefuseFlagsTheyIgnore: each `lot` subcommand accepts
// only the flags it reads. `lot origin --out F` used to print to stdout,
// write no file and exit 0; a flag another subcommand reads is now
// refused as unknown, naming it, and no file is written.
func TestLotSubcommandsRefuseFlagsTheyIgnore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": db}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	outFile := filepath.Join(dir, "o.txt")
	refused := []struct {
		sub  string
		flag []string
	}{
		{"origin", []string{"--out", outFile}},
		{"origin", []string{"--issuer", "ACME"}},
		{"origin", []string{"--depth", "2"}},
		{"origin", []string{"--rules", "x.json"}},
		{"trace", []string{"--out", outFile}},
		{"trace", []string{"--evidence=false"}},
		{"rules", []string{"--key", "k"}},
		{"rules", []string{"--direction", "forward"}},
		{"certificate", []string{"--depth", "2"}},
		{"certificate", []string{"--evidence=false"}},
	}
	for _, c := range refused {
		args := append(append([]string{"lot", c.sub}, c.flag...), lot)
		_, stderr, err := run(t, env, args...)
		name := strings.TrimLeft(strings.SplitN(c.flag[0], "=", 2)[0], "-")
		if err == nil {
			t.Errorf("%v: accepted a flag the subcommand ignores", args)
			continue
		}
		if msg := err.Error() + stderr; !strings.Contains(msg, name) {
			t.Errorf("%v: the refusal does not name -%s: %s", args, name, msg)
		}
	}
	if _, err := os.Stat(outFile); err == nil {
		t.Errorf("a refused command wrote %s", outFile)
	}
	// The flags each subcommand reads still work.
	for _, args := range [][]string{
		{"lot", "origin", "--evidence=false", lot},
		{"lot", "trace", "--direction", "forward", "--depth", "2", lot},
		{"lot", "rules", "--format", "json", lot},
	} {
		if _, _, err := run(t, env, args...); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}
