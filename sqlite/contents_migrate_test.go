package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateContents: migration 0118 on SQLite
// (storetest.MigrateContents holds the worked case).
func TestMigrateContents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateContents(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
