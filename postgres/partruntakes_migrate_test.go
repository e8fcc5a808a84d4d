package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartRunTakes (issue 15, fix15y): migration 0102 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartRunTakes): no run takes and part C's receipt
// overwritten before it, kept after.
func TestMigratePartRunTakes(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartRunTakes(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
