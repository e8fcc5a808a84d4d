package cli_test

import (
	"strings"
	"testing"
)

// --db naming a directory says so: `critmin events --db DIR` said
// "sqlite: open …: disk I/O error". Read-only commands, writers and init
// alike.
func TestDBDirectoryNamed(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"events", "--db", dir},
		{"lot", "show", "--db", dir, "urn:x"},
		{"capture", "--db", dir, "../demo/corridor/01-pakistan-mines-to-ports.jsonld"},
		{"init", "--db", dir},
	} {
		_, err := runRaw(args...)
		if err == nil || !strings.Contains(err.Error(), "is a directory, not a database file") {
			t.Errorf("%v: %v; want it to say %s is a directory", args, err, dir)
		}
	}
}
