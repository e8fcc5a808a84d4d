package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartMoisture: migration 0092 on SQLite
// (storetest.MigratePartMoisture holds the worked figures).
func TestMigratePartMoisture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigratePartMoisture(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
