package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateRunCarriedLinks: migration 0103 on SQLite
// (storetest.MigrateRunCarriedLinks holds the worked figures).
func TestMigrateRunCarriedLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateRunCarriedLinks(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
