package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateOnwardMoisture: migration 0099 on SQLite
// (storetest.MigrateOnwardMoisture holds the worked figures).
func TestMigrateOnwardMoisture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateOnwardMoisture(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
