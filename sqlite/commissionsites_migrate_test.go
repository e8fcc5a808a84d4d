package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateCommissionSites: migration 0117 on SQLite
// (storetest.MigrateCommissionSites holds the worked case).
func TestMigrateCommissionSites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateCommissionSites(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
