package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestRestoreErrorsNameFileAndReason (issue 14, fix14c item 4): every
// refused restore names the file or database at fault and the reason,
// says what became of the target, and leaves it as it was. Before,
// `restore --force --db DIR` moved a directory aside and put the database
// in its place (removing the directory when it was empty), a text file
// named by --db was replaced with --force, a directory given as FILE was
// "not a SQLite database: disk I/O error", a backup of the other backend
// was "not a SQLite database" or "not a critmin PostgreSQL backup" without
// saying which it was, and no refusal said the target was untouched.
func TestRestoreErrorsNameFileAndReason(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if _, _, err := run(t, nil, "init", "--db", at("src.db")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "backup", "--db", at("src.db"), at("a.backup")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "restore", "--db", at("tgt.db"), at("a.backup")); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(at(name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("text.txt", "not a database, not a backup\n")
	write("pg.backup", "PGDMP\x01\x0e\x00 a pg_dump custom archive's header")
	if err := os.MkdirAll(at("adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("adir/keep", "kept")
	snapshot := func() map[string][]byte {
		out := map[string][]byte{}
		for _, n := range []string{"tgt.db", "text.txt", "adir/keep"} {
			b, err := os.ReadFile(at(n))
			if err != nil {
				t.Fatal(err)
			}
			out[n] = b
		}
		return out
	}
	before := snapshot()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--db", at("new.db"), at("missing.backup")}, []string{"no backup at " + at("missing.backup"), "nothing was created at " + at("new.db")}},
		{[]string{"--db", at("new.db"), at("text.txt")}, []string{at("text.txt") + " is not a SQLite database", "nothing was created at " + at("new.db")}},
		{[]string{"--db", at("new.db"), at("adir")}, []string{at("adir") + " is a directory, not a backup file", "nothing was created at"}},
		{[]string{"--db", at("new.db"), at("pg.backup")}, []string{at("pg.backup") + " is a PostgreSQL backup", "nothing was created at"}},
		{[]string{"--force", "--db", at("adir"), at("a.backup")}, []string{"--db: " + at("adir") + " is a directory", at("adir") + " was left unchanged"}},
		{[]string{"--force", "--db", at("text.txt"), at("a.backup")}, []string{at("text.txt") + " exists and is not a SQLite database", at("text.txt") + " was left unchanged"}},
		{[]string{"--db", at("tgt.db"), at("a.backup")}, []string{at("tgt.db") + " exists; pass --force", at("tgt.db") + " was left unchanged"}},
		{[]string{"--force", "--db", at("tgt.db"), at("text.txt")}, []string{at("text.txt") + " is not a SQLite database", at("tgt.db") + " was left unchanged"}},
	} {
		_, _, err := run(t, nil, append([]string{"restore"}, c.args...)...)
		if err == nil {
			t.Errorf("restore %v succeeded", c.args)
			continue
		}
		msg := cli.Describe(err)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("restore %v:\n%s\nwant %q", c.args, msg, w)
			}
		}
		if _, err := os.Stat(at("new.db")); !os.IsNotExist(err) {
			t.Errorf("restore %v left new.db", c.args)
		}
	}
	after := snapshot()
	for n, b := range before {
		if !bytes.Equal(after[n], b) {
			t.Errorf("%s changed", n)
		}
	}
	if fi, err := os.Stat(at("adir")); err != nil || !fi.IsDir() {
		t.Errorf("adir is no longer a directory: %v", err)
	}
	if left, _ := filepath.Glob(at(".*")); len(left) > 0 {
		t.Errorf("staging or moved-aside files left: %v", left)
	}

	// PostgreSQL: a SQLite backup or a text file into an empty database.
	dst := pgtest.MustCreateDatabase(t)
	for _, c := range []struct {
		file string
		want []string
	}{
		{at("a.backup"), []string{at("a.backup") + " is a SQLite backup", "was left unchanged"}},
		{at("text.txt"), []string{at("text.txt") + " is not a critmin PostgreSQL backup", "was left unchanged"}},
	} {
		_, _, err := run(t, nil, "restore", "--db", dst, c.file)
		if err == nil {
			t.Errorf("restore of %s into PostgreSQL succeeded", c.file)
			continue
		}
		msg := cli.Describe(err)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("restore of %s into PostgreSQL:\n%s\nwant %q", c.file, msg, w)
			}
		}
	}
	db, err := sql.Open("pgx", dst)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the PostgreSQL target holds %d tables after refused restores (%v); want none", tables, err)
	}
}
