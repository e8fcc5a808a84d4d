package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// MustOpen opens a fresh SQLite store in the test's temporary directory.
func MustOpen(tb testing.TB) critmin.Store {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "critmin.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) { storetest.Run(t, MustOpen) }

// TestMigrateMassBalanceVersions: migration 0019 turns a declaration kept
// before versions (one row per site, no version in its body) into version
// 1 of the site.
func TestMigrateMassBalanceVersions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0019, with one declaration in it.
	for _, q := range []string{
		`DROP TABLE mass_balance_versions`,
		`CREATE TABLE mass_balance_declarations (site TEXT PRIMARY KEY, declared_us BIGINT NOT NULL, body TEXT NOT NULL)`,
		`INSERT INTO mass_balance_declarations VALUES ('urn:t:site:mb', 1, '{"site": "urn:t:site:mb", "method": "credit", "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}], "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}')`,
		`DELETE FROM schema_migrations WHERE version = 19`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vs, err := db.MassBalanceVersions(ctx, "urn:t:site:mb")
	if err != nil || len(vs) != 1 || vs[0].Version != 1 || vs[0].Categories[0].ConversionFactor != 0.9 {
		t.Fatalf("migrated declaration %+v, %v", vs, err)
	}
	d := *vs[0]
	if err := db.SaveMassBalance(ctx, &d); err != nil || d.Version != 2 {
		t.Errorf("next version %d, %v; want 2", d.Version, err)
	}
}
