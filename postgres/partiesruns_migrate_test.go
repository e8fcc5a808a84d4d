package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartiesRuns (issue 15, fix15v): migration 0112 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartiesRuns): NUB-3 read the lot's custodian FWO
// before, none after.
func TestMigratePartiesRuns(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartiesRuns(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
