package cli_test

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestRefusedServeLeavesNoFile (fix1213c item 6): a critmin serve that is
// refused — a bad flag combination, a flag naming a missing or bad file,
// an address already in use (refused after the database was migrated and
// its signing key made, with and without the demo loaded) — leaves no
// file or directory behind: the data directory it would have made does
// not exist afterwards. A refused start on an existing database keeps
// that database and its key.
func TestRefusedServeLeavesNoFile(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tmp := t.TempDir()
	badKey := filepath.Join(tmp, "bad.key")
	if err := os.WriteFile(badKey, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	badRules := filepath.Join(tmp, "rules.json")
	if err := os.WriteFile(badRules, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"replica on SQLite", []string{"--db-read", "postgres://127.0.0.1/x"}},
		{"missing signing key", []string{"--signing-key", filepath.Join(tmp, "none.key")}},
		{"bad signing key", []string{"--signing-key", badKey}},
		{"bad rules", []string{"--rules", badRules}},
		{"missing plan", []string{"--plan", filepath.Join(tmp, "none.json")}},
		{"bad stockpile flag", []string{"--stockpile-running", "0"}},
		{"address in use", []string{"--addr", busy.Addr().String()}},
		{"address in use with demo", []string{"--addr", busy.Addr().String(), "--demo"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			db := filepath.Join(data, "sub", "critmin.db")
			args := append([]string{"serve", "--db", db}, c.args...)
			if c.name != "address in use" && c.name != "address in use with demo" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			if _, _, err := run(t, nil, args...); err == nil {
				t.Fatalf("serve %v started", c.args)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				var left []string
				_ = filepath.Walk(data, func(p string, _ os.FileInfo, _ error) error { left = append(left, p); return nil })
				t.Errorf("a refused start left %v", left)
			}
		})
	}
	// An existing database is kept, with its key.
	db := filepath.Join(t.TempDir(), "kept.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "serve", "--db", db, "--addr", busy.Addr().String()); err == nil {
		t.Fatal("serve on a busy address started")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the existing database was removed: %v", err)
	}
	if _, err := os.Stat(db + ".signing.key"); err != nil {
		t.Errorf("the key pinned in the existing database was removed: %v", err)
	}
}
