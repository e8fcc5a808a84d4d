package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNoBodySites (issue 15, fix15r): migration 0097 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateNoBodySites): 59.8 t before it, 29.8 t after.
func TestMigrateNoBodySites(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateNoBodySites(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
