package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateDispatchParties (issue 15, fix15ze): migration 0115 on
// PostgreSQL (storetest.MigrateDispatchParties holds the worked case).
func TestMigrateDispatchParties(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateDispatchParties(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
