package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartSitePacking: migration 0106 on SQLite
// (storetest.MigratePartSitePacking holds the worked figures).
func TestMigratePartSitePacking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartSitePacking(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
