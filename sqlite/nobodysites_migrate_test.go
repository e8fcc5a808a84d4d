package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNoBodySites: migration 0097 on SQLite
// (storetest.MigrateNoBodySites holds the worked figures).
func TestMigrateNoBodySites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateNoBodySites(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
