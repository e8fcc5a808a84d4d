package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNoBodyLeg: migration 0114 on SQLite
// (storetest.MigrateNoBodyLeg holds the worked figures).
func TestMigrateNoBodyLeg(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateNoBodyLeg(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
