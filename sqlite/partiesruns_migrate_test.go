package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartiesRuns: migration 0112 on SQLite
// (storetest.MigratePartiesRuns holds the worked figures).
func TestMigratePartiesRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartiesRuns(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
