package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateGainedOrigin: migration 0119 on SQLite
// (storetest.MigrateGainedOrigin holds the worked case).
func TestMigrateGainedOrigin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateGainedOrigin(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
