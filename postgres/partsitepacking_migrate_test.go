package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartSitePacking (issue 15, fix15z F1): migration 0106 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigratePartSitePacking): the part rejoined before it, received
// after.
func TestMigratePartSitePacking(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartSitePacking(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
