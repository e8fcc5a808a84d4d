package cli_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// Restoring to a path where there is no database says so: on success
// "…, a new database" (not a replacement), and when the backup is refused
// after staging (it does not verify) "nothing was created at NEW" — it
// said "NEW was left unchanged", as if a database were there. Into an
// existing database, with --force, the same refusal says it was left
// unchanged.
func TestRestoreToNewPathSaysSo(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if _, _, err := run(t, nil, "init", "--db", at("src.db")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "token", "create", "--db", at("src.db"), "--name", "x", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "backup", "--db", at("src.db"), at("good.backup")); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "restore", "--db", at("new.db"), at("good.backup"))
	if err != nil || !strings.HasSuffix(out, "restored "+at("good.backup")+" into "+at("new.db")+", a new database\n") {
		t.Errorf("restore to a new path: %v\n%s", err, out)
	}
	out, _, err = run(t, nil, "restore", "--force", "--db", at("new.db"), at("good.backup"))
	if err != nil || !strings.HasSuffix(out, "replacing the database that was there\n") {
		t.Errorf("restore --force over a database: %v\n%s", err, out)
	}
	// A backup whose derived tokens table no longer matches the log.
	b, err := os.ReadFile(at("good.backup"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("bad.backup"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", at("bad.backup"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE tokens SET role = 'viewer'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, _, err = run(t, nil, "restore", "--db", at("fresh.db"), at("bad.backup"))
	msg := cli.Describe(err)
	if err == nil || !strings.Contains(msg, "does not verify; nothing was created at "+at("fresh.db")) || strings.Contains(msg, "left unchanged") {
		t.Errorf("refused restore to a new path: %s", msg)
	}
	if _, err := os.Stat(at("fresh.db")); !os.IsNotExist(err) {
		t.Errorf("fresh.db exists after a refused restore: %v", err)
	}
	_, _, err = run(t, nil, "restore", "--force", "--db", at("new.db"), at("bad.backup"))
	if msg := cli.Describe(err); err == nil || !strings.Contains(msg, "does not verify; "+at("new.db")+" was left unchanged") {
		t.Errorf("refused restore over a database: %s", msg)
	}
}
