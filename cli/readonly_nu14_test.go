package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// readOnlyCommands are the read-only commands run against each wrong
// database below.
var readOnlyCommands = [][]string{
	{"lot", "show", "urn:critmin:demo:lot:REE-2025-001"},
	{"token", "list"},
	{"events"},
	{"verify"},
}

// TestReadOnlyCommandsRefuseForeignSQLite: a read-only command given an
// existing SQLite file that is not a critmin database — another
// program's, or an empty file — refuses it naming the path and leaves it
// byte for byte as it was (nu14 item 1: it migrated it to 40 tables, or
// wrote an 869 KB -wal beside an empty file).
func TestReadOnlyCommandsRefuseForeignSQLite(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "o.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE foo (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	empty := filepath.Join(dir, "e.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{foreign, empty} {
		before, _ := os.ReadFile(path)
		for _, args := range readOnlyCommands {
			_, _, err := run(t, nil, append(append([]string{}, args...), "--db", path)...)
			if err == nil || !strings.Contains(cli.Describe(err), "not a critmin database") {
				t.Errorf("%v on %s: %v; want \"not a critmin database\"", args, filepath.Base(path), err)
			}
		}
		after, _ := os.ReadFile(path)
		if string(after) != string(before) {
			t.Errorf("%s changed: %d bytes before, %d after", filepath.Base(path), len(before), len(after))
		}
	}
	if names := onlyFiles(t, dir); len(names) != 2 {
		t.Errorf("files in the directory: %v; want only o.db and e.db (no -wal, -shm)", names)
	}
}

// TestReadOnlyCommandsRefuseForeignPostgres: the same on PostgreSQL — an
// empty database stays without a table (it got 38).
func TestReadOnlyCommandsRefuseForeignPostgres(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	for _, args := range readOnlyCommands {
		_, _, err := run(t, nil, append(append([]string{}, args...), "--db", dsn)...)
		if err == nil || !strings.Contains(cli.Describe(err), "not a critmin database") {
			t.Errorf("%v: %v; want \"not a critmin database\"", args, err)
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil || n != 0 {
		t.Errorf("tables after read-only commands: %d (%v); want 0", n, err)
	}
}

// TestReadOnlyCommandRefusesOldSchema: a critmin database missing a
// migration is refused with "needs migrating", not migrated by a
// read-only command.
func TestReadOnlyCommandRefusesOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	captureCorridor(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, _, err := run(t, nil, "token", "list", "--db", path); err == nil || !strings.Contains(cli.Describe(err), "needs migrating") {
		t.Fatalf("token list on an old schema: %v; want \"needs migrating\"", err)
	}
}

// TestLotTraceDepthZeroRefused: --depth 0 is a usage error naming the
// flag, not the default 50 it became.
func TestLotTraceDepthZeroRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	captureCorridor(t, path)
	_, _, err := run(t, nil, "lot", "trace", "--depth", "0", "--db", path, "urn:critmin:demo:lot:REE-2025-001")
	if err == nil || !cli.UsageError(err) || !strings.Contains(cli.Describe(err), "--depth") {
		t.Errorf("lot trace --depth 0: %v; want a usage error naming --depth", err)
	}
}
