package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateGainedOrigin: migration 0119 on PostgreSQL
// (storetest.MigrateGainedOrigin holds the worked case).
func TestMigrateGainedOrigin(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateGainedOrigin(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
