package postgres_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateReceiptOwnBOL (issue 15, fix15n N1): migration 0109 on
// PostgreSQL, with the same worked figures as on SQLite
// (storetest.MigrateReceiptOwnBOL): part A closed by B's receipt
// before it, in transit after.
func TestMigrateReceiptOwnBOL(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateReceiptOwnBOL(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
