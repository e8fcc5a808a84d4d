package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartShares: migration 0113 on SQLite
// (storetest.MigratePartShares holds the worked figures).
func TestMigratePartShares(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartShares(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
