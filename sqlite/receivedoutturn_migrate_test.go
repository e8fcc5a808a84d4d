package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateReceivedPartOutturn: migration 0084 on SQLite
// (storetest.MigrateReceivedPartOutturn holds the worked figures).
func TestMigrateReceivedPartOutturn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateReceivedPartOutturn(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
