// Package pgtest gives each test its own PostgreSQL database on the
// development server (127.0.0.1:5432, trust auth) and drops it afterwards.
// With CI=true a server that does not answer fails the test; elsewhere the
// test is skipped with the reason.
package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqldb"
)

// AdminDSN is the maintenance database tests create their databases from;
// CRITMIN_TEST_PG overrides it.
func AdminDSN() string {
	if v := os.Getenv("CRITMIN_TEST_PG"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// MustOpen opens a store on a fresh database for one test.
func MustOpen(tb testing.TB) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	dsn, drop, err := postgres.CreateDatabase(ctx, AdminDSN(), "critmin_test_")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		tb.Skipf("PostgreSQL not available (set CI=true to make this fatal): %v", err)
	}
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		_ = drop()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		if err := drop(); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return db
}

// MustCreateDatabase creates a fresh, empty database for one test and
// returns its DSN; it is dropped when the test ends. Like MustOpen, it
// fails the test in CI when PostgreSQL does not answer and skips elsewhere.
func MustCreateDatabase(tb testing.TB) string {
	tb.Helper()
	dsn, drop, err := postgres.CreateDatabase(context.Background(), AdminDSN(), "critmin_test_")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		tb.Skipf("PostgreSQL not available (set CI=true to make this fatal): %v", err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return dsn
}
