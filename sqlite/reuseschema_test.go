package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/sqlite"
)

// TestReuseMigratedSchemaSameSchema: a store Open seeds from the migrated
// template (ReuseMigratedSchema, the seam test binaries turn on) holds
// exactly the schema and migration versions of one Open migrates itself,
// is created 0600 like any new store, and passes OpenExisting's schema
// check. Before the
// seam there was no template to compare: every store ran the migrations.
func TestReuseMigratedSchemaSameSchema(t *testing.T) {
	ctx := context.Background()
	schema := func(path string) string {
		t.Helper()
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var b strings.Builder
		rows, err := db.Write.QueryContext(ctx, `SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var typ, name, sql string
			if err := rows.Scan(&typ, &name, &sql); err != nil {
				t.Fatal(err)
			}
			b.WriteString(typ + " " + name + " " + sql + "\n")
		}
		rows.Close()
		rows, err = db.Write.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v int
			var name string
			if err := rows.Scan(&v, &name); err != nil {
				t.Fatal(err)
			}
			b.WriteString(name + "\n")
		}
		rows.Close()
		var mode string
		if err := db.Write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		b.WriteString("journal " + mode + "\n")
		return b.String()
	}
	dir := t.TempDir()
	was := sqlite.ReuseMigratedSchema(false)
	t.Cleanup(func() { sqlite.ReuseMigratedSchema(was) })
	migrated := schema(filepath.Join(dir, "migrated.db"))
	sqlite.ReuseMigratedSchema(true)
	for _, name := range []string{"seeded1.db", "seeded2.db"} {
		path := filepath.Join(dir, name)
		if got := schema(path); got != migrated {
			t.Errorf("%s's schema:\n%s\nwant the migrated store's:\n%s", name, got, migrated)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s created %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if !strings.Contains(migrated, "0112_replay_parties_runs.sql") || !strings.Contains(migrated, "journal wal") {
		t.Errorf("the migrated store lacks the last migration or WAL:\n%s", migrated)
	}
	// critmin's check of an existing file's schema accepts a seeded one.
	db, err := sqlite.OpenExisting(ctx, filepath.Join(dir, "seeded1.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
