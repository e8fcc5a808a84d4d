package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartParties: migration 0105 on SQLite
// (storetest.MigratePartParties holds the worked figures).
func TestMigratePartParties(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartParties(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
