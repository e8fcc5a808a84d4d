package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateLeftFrom: migration 0116 on SQLite
// (storetest.MigrateLeftFrom holds the worked case).
func TestMigrateLeftFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateLeftFrom(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
