package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNamedHoldings: migration 0110 on SQLite
// (storetest.MigrateNamedHoldings holds the worked figures).
func TestMigrateNamedHoldings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateNamedHoldings(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
