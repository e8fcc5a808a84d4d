package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateLeftFrom (issue 15, fix15zh): migration 0116 on PostgreSQL
// (storetest.MigrateLeftFrom holds the worked case).
func TestMigrateLeftFrom(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateLeftFrom(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
