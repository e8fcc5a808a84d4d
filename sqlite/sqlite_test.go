package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
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

func TestContract(t *testing.T) { storetest.Run(t, MustOpen, Copy) }

// Copy is the storetest.Copier of SQLite stores: it closes src (its last
// connection checkpoints the write-ahead log into the database file) and
// returns an opener of stores on byte copies of src's files, each in its
// test's temporary directory.
func Copy(tb testing.TB, src critmin.Store) storetest.Opener {
	tb.Helper()
	db := src.(*sqldb.DB)
	var seq int
	var name, path string
	if err := db.Write.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &path); err != nil || name != "main" || path == "" {
		tb.Fatalf("the store's database file: %q %q %v", name, path, err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	files := map[string][]byte{}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue // no log left to copy
		}
		if err != nil {
			tb.Fatal(err)
		}
		files[suffix] = b
	}
	return func(tb testing.TB) critmin.Store {
		tb.Helper()
		to := filepath.Join(tb.TempDir(), "critmin.db")
		for suffix, b := range files {
			if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
				tb.Fatal(err)
			}
		}
		db, err := sqlite.Open(context.Background(), to)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}
}

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
	// Migration 0053 attests rows written before it; these legacy rows
	// were written in SQL after it ran, so attest them as it would.
	if err := db.AttestExisting(ctx); err != nil {
		t.Fatal(err)
	}
	vs, err := db.MassBalanceVersions(ctx, "urn:t:site:mb")
	if err != nil || len(vs) != 1 || vs[0].Version != 1 || vs[0].Categories[0].ConversionFactor != 0.9 {
		t.Fatalf("migrated declaration %+v, %v", vs, err)
	}
	d := *vs[0]
	if err := db.SaveMassBalance(ctx, &d); err != nil || d.Version != 2 {
		t.Errorf("next version %d, %v; want 2", d.Version, err)
	}
}

// TestMigrateMassBalanceSiteCanon: migration 0031 keys declarations by
// the canonical site. A store from before it holds three declarations of
// one site under two spellings: the SGLN URN (declared at t = 1 and t = 3,
// factors 0.9 and 0.7) and its Digital Link (t = 2, factor 0.8). After it
// the site has versions 1, 2, 3 in the order declared — factors 0.9, 0.8,
// 0.7 — found under either spelling, and the next declaration is version 4.
func TestMigrateMassBalanceSiteCanon(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const urn, dl = "urn:epc:id:sgln:4012345.00008.0", "https://id.gs1.org/414/4012345000085"
	body := func(site, f string) string {
		return `{"site": "` + site + `", "method": "credit", "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": ` + f + `}], "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	}
	for _, q := range []string{
		`DELETE FROM mass_balance_versions`,
		`INSERT INTO mass_balance_versions VALUES ('` + urn + `', 1, 1, '` + body(urn, "0.9") + `')`,
		`INSERT INTO mass_balance_versions VALUES ('` + dl + `', 1, 2, '` + body(dl, "0.8") + `')`,
		`INSERT INTO mass_balance_versions VALUES ('` + urn + `', 2, 3, '` + body(urn, "0.7") + `')`,
		`DELETE FROM schema_migrations WHERE version = 31`,
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
	if err := db.AttestExisting(ctx); err != nil { // as migration 0053 would
		t.Fatal(err)
	}
	for _, spelling := range []string{urn, dl} {
		vs, err := db.MassBalanceVersions(ctx, spelling)
		if err != nil || len(vs) != 3 {
			t.Fatalf("%s: versions %+v, %v; want 3", spelling, vs, err)
		}
		for i, f := range []float64{0.9, 0.8, 0.7} {
			if vs[i].Version != i+1 || vs[i].Categories[0].ConversionFactor != f {
				t.Errorf("%s: version %d is %d with factor %v, want factor %v", spelling, i+1, vs[i].Version, vs[i].Categories[0].ConversionFactor, f)
			}
		}
	}
	var n int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM mass_balance_versions WHERE site = ?`, dl).Scan(&n); err != nil || n != 3 {
		t.Errorf("rows under the canonical site: %d, %v; want 3", n, err)
	}
	d := *must(db.FindMassBalance(ctx, urn))
	if err := db.SaveMassBalance(ctx, &d); err != nil || d.Version != 4 {
		t.Errorf("next version %d, %v; want 4", d.Version, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestWriterCheckpointsAtWALCheckpointPages: the writer connection (the
// one that commits, and so runs SQLite's automatic checkpoints) reads
// wal_autocheckpoint = 16,384 pages (sqlite.WALCheckpointPages), not
// SQLite's default of 1,000, and still syncs every commit
// (synchronous = 2, FULL).
func TestWriterCheckpointsAtWALCheckpointPages(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages, sync int
	if err := db.Write.QueryRowContext(context.Background(), "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.Write.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if pages != 16384 {
		t.Errorf("writer's wal_autocheckpoint: %d, want 16384", pages)
	}
	if sync != 2 {
		t.Errorf("writer's synchronous: %d, want 2 (FULL)", sync)
	}
}
