package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateMasterPrefixes: prefixes of master data captured before they
// were saved, on SQLite (storetest.MigrateMasterPrefixes holds the case).
func TestMigrateMasterPrefixes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateMasterPrefixes(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
