package cli_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/postgres/pgtest"
	_ "modernc.org/sqlite"
)

// TestInitRefusesForeignDatabase (issue 14 final check, fix14p): `init
// --db other.db` (another program's SQLite file) added critmin's 40
// tables to it, and `init --db postgres://…/postgres` migrated the
// cluster's maintenance database. A database that holds tables but no
// schema_migrations is another program's: init (and serve) refuse it,
// untouched, naming its tables, unless --force.
func TestInitRefusesForeignDatabase(t *testing.T) {
	ctx := context.Background()
	tables := func(t *testing.T, driver, dsn, q string) int {
		t.Helper()
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const liteTables = `SELECT count(*) FROM sqlite_master WHERE type = 'table'`
	const pgTables = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`
	file := filepath.Join(t.TempDir(), "other.db")
	pgdsn := pgtest.MustCreateDatabase(t)
	for _, c := range []struct{ name, driver, dsn, count string }{
		{"sqlite", "sqlite", file, liteTables},
		{"postgres", "pgx", pgdsn, pgTables},
	} {
		db, err := sql.Open(c.driver, c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE their_orders (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		for _, cmd := range [][]string{{"init", "--db", c.dsn}, {"serve", "--db", c.dsn, "--addr", "127.0.0.1:0"}} {
			_, _, err := run(t, nil, cmd...)
			if err == nil || !strings.Contains(err.Error(), "not a critmin database") || !strings.Contains(err.Error(), "their_orders") || !strings.Contains(err.Error(), "--force") {
				t.Fatalf("%s: %s on another program's database: %v; want a refusal naming its table and --force", c.name, cmd[0], err)
			}
			if n := tables(t, c.driver, c.dsn, c.count); n != 1 {
				t.Fatalf("%s: %s added tables to another program's database: %d tables, want its 1", c.name, cmd[0], n)
			}
		}
		if _, _, err := run(t, nil, "init", "--db", c.dsn, "--force"); err != nil {
			t.Fatalf("%s: init --force: %v", c.name, err)
		}
		if n := tables(t, c.driver, c.dsn, c.count); n <= 1 {
			t.Errorf("%s: init --force left %d tables", c.name, n)
		}
	}
}
