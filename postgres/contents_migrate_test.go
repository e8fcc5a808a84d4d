package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateContents (issue 8 §2, nu32-7): migration 0118 on PostgreSQL
// (storetest.MigrateContents holds the worked case).
func TestMigrateContents(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateContents(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
