package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateOutputFirst (issue 9, fix9i): migration 0098 on PostgreSQL,
// with the same worked figures as on SQLite (storetest.MigrateRunOutputLines):
// lot OZ 5.5 t dry and its link 10.5 t after it.
func TestMigrateOutputFirst(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateRunOutputLines(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
