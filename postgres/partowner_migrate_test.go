package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartOwner (issue 15, fix15o): migration 0107 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartOwner): the part read the lot's owner before
// it, its receipt's after.
func TestMigratePartOwner(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartOwner(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
