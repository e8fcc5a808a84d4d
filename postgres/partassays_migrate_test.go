package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartAssays (issue 15, fix15a): migration 0104 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartAssays): the part's assay was the lot's before
// it, the part's own after.
func TestMigratePartAssays(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartAssays(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
