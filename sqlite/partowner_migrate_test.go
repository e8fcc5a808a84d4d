package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartOwner: migration 0107 on SQLite
// (storetest.MigratePartOwner holds the worked figures).
func TestMigratePartOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartOwner(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
