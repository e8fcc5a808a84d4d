// Package pgtest gives each test its own PostgreSQL database on the
// development server (127.0.0.1:5432, trust auth) and drops it afterwards.
// With CI=true a server that does not answer fails the test; elsewhere the
// test is skipped with the reason.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqldb"
	_ "github.com/jackc/pgx/v5/stdlib" // pgx driver
)

// AdminDSN is the maintenance database tests create their databases from;
// CRITMIN_TEST_PG overrides it.
func AdminDSN() string {
	if v := os.Getenv("CRITMIN_TEST_PG"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// CreateDatabase creates a uniquely named empty database and returns its
// DSN and a function that drops it.
func CreateDatabase(ctx context.Context) (dsn string, drop func() error, err error) {
	admin, err := sql.Open("pgx", AdminDSN())
	if err != nil {
		return "", nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("postgres at %s does not answer: %w", AdminDSN(), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "critmin_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop = func() error {
		defer admin.Close()
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:5432/%s?sslmode=disable", name), drop, nil
}

// MustOpen opens a store on a fresh database for one test.
func MustOpen(tb testing.TB) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	dsn, drop, err := CreateDatabase(ctx)
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
