package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartShares (issue 15, fix15zb): migration 0113 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartShares): C1 took 5 t of A's part before, 3 t
// of A's and 2 t of B's after.
func TestMigratePartShares(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartShares(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
