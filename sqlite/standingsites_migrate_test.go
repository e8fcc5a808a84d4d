package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateStandingSites: migration 0096 on SQLite
// (storetest.MigrateStandingSites holds the worked figures).
func TestMigrateStandingSites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateStandingSites(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
