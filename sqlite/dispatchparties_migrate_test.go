package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateDispatchParties: migration 0115 on SQLite
// (storetest.MigrateDispatchParties holds the worked case).
func TestMigrateDispatchParties(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateDispatchParties(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
