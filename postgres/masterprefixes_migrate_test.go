package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateMasterPrefixes: prefixes of master data captured before they
// were saved, on PostgreSQL (storetest.MigrateMasterPrefixes holds the
// case).
func TestMigrateMasterPrefixes(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateMasterPrefixes(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
