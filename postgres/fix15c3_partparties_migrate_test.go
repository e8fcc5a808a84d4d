package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigratePartParties: migration 0105 on PostgreSQL
// (storetest.MigratePartParties holds the worked figures).
func TestMigratePartParties(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigratePartParties(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
