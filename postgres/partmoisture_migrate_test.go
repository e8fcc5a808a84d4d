package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartMoisture (issue 15, fix15m): migration 0092
// on PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartMoisture): 18.4 + 8.95 = 27.35 t dry after it.
func TestMigratePartMoisture(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartMoisture(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
