package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestBackupOfNonCritminPostgres (fix14o item 1): an empty PostgreSQL
// database given to backup is refused as "not a critmin database", as an
// empty SQLite file is, and no FILE is written (before, pg_dump dumped it
// and the command said "backup written").
func TestBackupOfNonCritminPostgres(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	out := filepath.Join(t.TempDir(), "e.bak")
	_, _, err := run(t, nil, "backup", "--db", dsn, out)
	if err == nil || !strings.Contains(cli.Describe(err), "not a critmin database") {
		t.Fatalf("backup of an empty PostgreSQL database: %v; want \"not a critmin database\"", err)
	}
	if names := onlyFiles(t, filepath.Dir(out)); len(names) != 0 {
		t.Errorf("files left: %v; want none", names)
	}
}

// TestBackupPostgresKeyNoteNamesDataDirectory (fix14o item 1): the
// signing-key note of a PostgreSQL backup names the key file the docs give
// for PostgreSQL (postgres-NAME.signing.key in the data directory), never
// a path made of the DSN ("postgres://….signing.key beside a SQLite file").
func TestBackupPostgresKeyNoteNamesDataDirectory(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	data := t.TempDir()
	env := map[string]string{"CRITMIN_DATA": data}
	if _, _, err := run(t, env, "init", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := run(t, env, "backup", "--db", dsn, filepath.Join(t.TempDir(), "c.bak"))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(data, "postgres-"+pgName(t, dsn)+".signing.key")
	if !strings.Contains(stderr, want) || strings.Contains(stderr, "postgres://") {
		t.Errorf("key note: %q; want it to name %s and no DSN", stderr, want)
	}
}
