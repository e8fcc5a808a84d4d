package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// runRaw runs the CLI as a user would, without run's convenience of
// initialising the database a test captures into.
func runRaw(args ...string) (string, error) {
	var out, errb bytes.Buffer
	e := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	err := cli.Run(context.Background(), e, args)
	return out.String() + errb.String(), err
}

// A writer given a mistyped --db refuses it ("no database at …", naming
// critmin init) and creates neither the directory nor the file: capture
// used to create /tmp/typo/cap.db and store the events in it. critmin
// init creates it; capture then stores into it. trade demo is the demo
// loader and says in its help that it creates the store.
func TestWritersRefuseMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	doc := "../demo/corridor/01-pakistan-mines-to-ports.jsonld"
	csvFile := filepath.Join(dir, "ref.csv")
	if err := os.WriteFile(csvFile, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"capture", "--db", filepath.Join(dir, "typo", "cap.db"), doc},
		{"data", "import", "--db", filepath.Join(dir, "typo", "cap.db"), "--edition", "2025", csvFile},
	} {
		_, err := runRaw(args...)
		if err == nil || !strings.Contains(err.Error(), "no database at") || !strings.Contains(err.Error(), "critmin init --db") {
			t.Errorf("%v: %v; want no database at …, create it with critmin init --db …", args, err)
		}
		if _, serr := os.Stat(filepath.Join(dir, "typo")); serr == nil {
			t.Errorf("%v: created the directory", args)
		}
	}
	db := filepath.Join(dir, "new", "cap.db")
	if out, err := runRaw("init", "--db", db); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	if out, err := runRaw("capture", "--db", db, doc); err != nil {
		t.Fatalf("capture after init: %v %s", err, out)
	}
	help, _ := runRaw("trade", "demo", "--help")
	if !strings.Contains(help, "creates") {
		t.Errorf("trade demo --help does not say it creates the store:\n%s", help)
	}
	if out, err := runRaw("trade", "demo", "--db", filepath.Join(dir, "demo", "t.db")); err != nil {
		t.Errorf("trade demo into a new store: %v %s", err, out)
	}
}
