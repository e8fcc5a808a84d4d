package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartRejoin: migration 0093 on SQLite
// (storetest.MigratePartRejoin holds the worked figures).
func TestMigratePartRejoin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartRejoin(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
