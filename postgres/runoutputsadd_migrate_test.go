package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateRunOutputsAdd (issue 9, fix9f): migration 0094 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateRunOutputsAdd): lot O8 0.5 + 10 = 10.5 t after it.
func TestMigrateRunOutputsAdd(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateRunOutputsAdd(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
