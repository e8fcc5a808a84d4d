package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateLastPartNoBody (issue 15, fix15w): migration 0100 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateLastPartNoBody): part B rejoined before it, received
// after.
func TestMigrateLastPartNoBody(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateLastPartNoBody(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
