package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartRunTakes: migration 0102 on SQLite
// (storetest.MigratePartRunTakes holds the worked figures).
func TestMigratePartRunTakes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartRunTakes(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
