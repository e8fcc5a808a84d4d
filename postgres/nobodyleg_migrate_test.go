package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNoBodyLeg (issue 15, fix15zd): migration 0114 on
// PostgreSQL (storetest.MigrateNoBodyLeg holds the worked figures).
func TestMigrateNoBodyLeg(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateNoBodyLeg(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
