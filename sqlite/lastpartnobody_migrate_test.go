package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateLastPartNoBody: migration 0100 on SQLite
// (storetest.MigrateLastPartNoBody holds the worked figures).
func TestMigrateLastPartNoBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateLastPartNoBody(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
