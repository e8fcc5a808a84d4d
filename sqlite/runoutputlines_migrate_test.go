package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateOutputFirst: migration 0098 on SQLite
// (storetest.MigrateRunOutputLines holds the worked figures).
func TestMigrateOutputFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateRunOutputLines(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
