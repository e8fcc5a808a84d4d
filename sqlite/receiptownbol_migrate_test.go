package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateReceiptOwnBOL: migration 0109 on SQLite
// (storetest.MigrateReceiptOwnBOL holds the worked figures).
func TestMigrateReceiptOwnBOL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateReceiptOwnBOL(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
