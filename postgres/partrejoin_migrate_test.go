package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartRejoin (issue 15, fix15p): migration 0093 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartRejoin): 25 t wet, 23 t dry after it.
func TestMigratePartRejoin(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartRejoin(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
