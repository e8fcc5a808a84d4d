package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateOnwardMoisture (issue 15, fix15u): migration 0099 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateOnwardMoisture): 28.6 t dry before it, 28.8 t after.
func TestMigrateOnwardMoisture(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateOnwardMoisture(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
