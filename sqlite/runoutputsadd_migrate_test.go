package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateRunOutputsAdd: migration 0094 on SQLite
// (storetest.MigrateRunOutputsAdd holds the worked figures).
func TestMigrateRunOutputsAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateRunOutputsAdd(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
