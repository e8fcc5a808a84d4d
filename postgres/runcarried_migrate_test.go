package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateRunCarriedLinks (issue 9, fix9s): migration 0103 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateRunCarriedLinks): OB produced 4 t before it, 2 t
// after.
func TestMigrateRunCarriedLinks(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateRunCarriedLinks(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
