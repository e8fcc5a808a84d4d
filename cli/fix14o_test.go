package cli_test

import (
	"github.com/critmin/critmin/custody"
	"net/url"
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
	if strings.Contains(stderr, want) {
		t.Errorf("key note %q names %s, which does not exist yet (fix14p)", stderr, want)
	}
	// The key serve creates there: named once it exists (fix14p).
	if _, err := custody.GenerateKey(want); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err = run(t, env, "backup", "--db", dsn, filepath.Join(t.TempDir(), "d.bak")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, want) || strings.Contains(stderr, "postgres://") {
		t.Errorf("key note: %q; want it to name %s and no DSN", stderr, want)
	}
}

// TestMissingPostgresDatabaseNamed (fix14o item 7): a mistyped PostgreSQL
// --db printed the driver's "FATAL: database … does not exist (SQLSTATE
// 3D000)"; it is "no database at DSN (PostgreSQL says it does not
// exist)", as a missing SQLite path is "no database at …", and nothing is
// created.
func TestMissingPostgresDatabaseNamed(t *testing.T) {
	u, err := url.Parse(pgtest.MustCreateDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/fix14o_nonexistent_db"
	dsn := u.String()
	for _, args := range [][]string{{"token", "list"}, {"events"}, {"verify"}} {
		_, _, err := run(t, nil, append(args, "--db", dsn)...)
		msg := cli.Describe(err)
		if err == nil || !strings.Contains(msg, "no database at ") || !strings.Contains(msg, "PostgreSQL says it does not exist") || strings.Contains(msg, "SQLSTATE") {
			t.Errorf("%v on a missing PostgreSQL database: %q; want \"no database at … (PostgreSQL says it does not exist)\"", args, msg)
		}
	}
}

// TestUsagePointerOnlyOnUsageErrors (fix14o item 8): every refusal ended
// "Run critmin --help … for the usage", even "no database at …" and
// "open in another connection", which the usage does not explain. Only
// faults of the command line's form (unknown command or flag, missing
// argument, bad flag value) point to the usage; both kinds still exit 2.
func TestUsagePointerOnlyOnUsageErrors(t *testing.T) {
	dir := t.TempDir()
	const pointer = "for the usage"
	for _, c := range []struct {
		args  []string
		usage bool
	}{
		{[]string{"token", "list", "--db", filepath.Join(dir, "missing.db")}, false},
		{[]string{"events", "--db", filepath.Join(dir, "missing.db")}, false},
		{[]string{"restore", "--db", filepath.Join(dir, "t.db"), filepath.Join(dir, "no.backup")}, false},
		{[]string{"nosuchcommand"}, true},
		{[]string{"token", "list", "--nosuchflag"}, true},
		{[]string{"token", "create", "--role", "viewer"}, true},
		{[]string{"lot", "trace", "--depth", "0", "x"}, true},
		// A bad --direction is a usage error naming --direction (exit 2,
		// "Run critmin --help"), as --depth is; it used to exit 1 with the
		// domain's "direction: …".
		{[]string{"lot", "trace", "--direction", "sideways", "x"}, true},
	} {
		_, _, err := run(t, nil, c.args...)
		if err == nil || !cli.UsageError(err) {
			t.Errorf("%v: %v; want an exit-2 refusal", c.args, err)
			continue
		}
		if got := strings.Contains(cli.Describe(err), pointer); got != c.usage {
			t.Errorf("%v: %q; usage pointer %v, want %v", c.args, cli.Describe(err), got, c.usage)
		}
	}
}
