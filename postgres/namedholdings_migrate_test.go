package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateNamedHoldings (issue 15, fix15q): migration 0110 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateNamedHoldings): NUB-2 shipped on 6 t before, whole
// after; NUB-3 counted before, flagged after.
func TestMigrateNamedHoldings(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateNamedHoldings(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
