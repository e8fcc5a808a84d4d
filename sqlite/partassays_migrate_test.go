package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartAssays: migration 0104 on SQLite
// (storetest.MigratePartAssays holds the worked figures).
func TestMigratePartAssays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartAssays(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
