package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateCommissionSites (issue 9, fix9av): migration 0117 on PostgreSQL
// (storetest.MigrateCommissionSites holds the worked case).
func TestMigrateCommissionSites(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateCommissionSites(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
