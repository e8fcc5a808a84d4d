package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateStandingSites (issue 15, fix15t): migration 0096 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateStandingSites): 6 t before it, 10 t after.
func TestMigrateStandingSites(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateStandingSites(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
