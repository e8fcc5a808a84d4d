package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateReceivedPartOutturn (issue 15, fix15m item 7): migration 0084
// on PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateReceivedPartOutturn): 30 − 10 + 9.6 = 29.6 t after it.
func TestMigrateReceivedPartOutturn(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateReceivedPartOutturn(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
