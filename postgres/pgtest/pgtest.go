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
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/critmin/critmin"
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

// template is the migrated empty database MustOpen copies each test's
// from when Main runs the tests, made by the first MustOpen.
var template struct {
	on   atomic.Bool
	once sync.Once
	name string
	drop func() error
	err  error
}

// Main runs a test binary's tests (a package's TestMain calls
// os.Exit(pgtest.Main(m))) with MustOpen giving each test a copy (CREATE
// DATABASE … TEMPLATE) of one database migrated once, instead of a new
// database that postgres.Open migrates again, and drops that template when
// the tests end. The copy holds what the migrations make; postgres.Open
// finds every migration applied and goes on as always.
func Main(m *testing.M) int {
	template.on.Store(true)
	code := m.Run()
	if template.drop != nil {
		if err := template.drop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: drop template database %s: %v\n", template.name, err)
		}
	}
	return code
}

// migratedTemplate makes the template database once and returns its name.
func migratedTemplate(ctx context.Context) (string, error) {
	template.once.Do(func() {
		dsn, drop, err := postgres.CreateDatabase(ctx, AdminDSN(), "critmin_tmpl_")
		if err != nil {
			template.err = err
			return
		}
		db, err := postgres.Open(ctx, dsn)
		if err == nil {
			err = db.Close()
		}
		if err != nil {
			_ = drop()
			template.err = err
			return
		}
		u, _ := url.Parse(dsn)
		template.name, template.drop = strings.TrimPrefix(u.Path, "/"), drop
	})
	return template.name, template.err
}

// createDatabase is postgres.CreateDatabase, copying the migrated template
// when Main runs the tests.
func createDatabase(ctx context.Context) (dsn string, drop func() error, err error) {
	if !template.on.Load() {
		return postgres.CreateDatabase(ctx, AdminDSN(), "critmin_test_")
	}
	from, err := migratedTemplate(ctx)
	if err != nil {
		return "", nil, err
	}
	return createFrom(ctx, from)
}

// createFrom creates a database copied (CREATE DATABASE … TEMPLATE) from
// the database named from, which nothing may be connected to, and returns
// its DSN and its drop.
func createFrom(ctx context.Context, from string) (dsn string, drop func() error, err error) {
	admin, err := sql.Open("pgx", AdminDSN())
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "critmin_test_" + hex.EncodeToString(b[:])
	for i := 0; ; i++ {
		// The template's last connections may take a moment to go
		// ("source database … is being accessed by other users").
		_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+from)
		if err == nil || i == 100 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("postgres: create database from template: %w", err)
	}
	drop = func() error {
		defer admin.Close()
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	u, err := url.Parse(AdminDSN())
	if err != nil {
		_ = drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// MustOpen opens a store on a fresh database for one test.
func MustOpen(tb testing.TB) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	dsn, drop, err := createDatabase(ctx)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		tb.Skipf("PostgreSQL not available (set CI=true to make this fatal): %v", err)
	}
	return mustOpenDSN(tb, dsn, drop)
}

// mustOpenDSN opens a store on the database at dsn, closed and dropped
// (drop) when the test ends.
func mustOpenDSN(tb testing.TB, dsn string, drop func() error) *sqldb.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
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

// Copier closes src, a store MustOpen opened, and returns an opener
// (storetest.Opener) whose every store is on a copy (CREATE DATABASE …
// TEMPLATE) of src's database as src left it, dropped when its test
// ends. src's own database is dropped when src's test ends, as always.
func Copier(tb testing.TB, src critmin.Store) func(testing.TB) critmin.Store {
	tb.Helper()
	ctx := context.Background()
	db := src.(*sqldb.DB)
	var from string
	if err := db.Write.QueryRowContext(ctx, "SELECT current_database()").Scan(&from); err != nil {
		tb.Fatal(err)
	}
	// A database is copied only when nothing is connected to it.
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return func(tb testing.TB) critmin.Store {
		tb.Helper()
		dsn, drop, err := createFrom(ctx, from)
		if err != nil {
			tb.Fatal(err)
		}
		return mustOpenDSN(tb, dsn, drop)
	}
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
