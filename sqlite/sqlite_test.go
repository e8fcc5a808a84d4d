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
