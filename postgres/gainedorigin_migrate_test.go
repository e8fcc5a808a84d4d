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

// TestMigrateReceiptContents: migration 0119 on PostgreSQL
// (storetest.MigrateReceiptContents holds the worked case).
func TestMigrateReceiptContents(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateReceiptContents(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateGainedOriginAgain: migration 0119 run again, and on a store
// it leaves alone, on PostgreSQL.
func TestMigrateGainedOriginAgain(t *testing.T) {
	a, b := pgtest.MustCreateDatabase(t), pgtest.MustCreateDatabase(t)
	storetest.MigrateGainedOriginAgain(t,
		func() (*sqldb.DB, error) { return postgres.Open(context.Background(), a) },
		func() (*sqldb.DB, error) { return postgres.Open(context.Background(), b) })
}

// TestMigrateSupportedOrigin: migration 0120 on PostgreSQL
// (storetest.MigrateSupportedOrigin holds the worked case).
func TestMigrateSupportedOrigin(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateSupportedOrigin(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateTripJoins: migration 0121 on PostgreSQL
// (storetest.MigrateTripJoins holds the worked case).
func TestMigrateTripJoins(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateTripJoins(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateContainerFed: migration 0122 on PostgreSQL
// (storetest.MigrateContainerFed holds the worked case).
func TestMigrateContainerFed(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateContainerFed(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateOnwardContainers: migration 0124 on PostgreSQL
// (storetest.MigrateOnwardContainers holds the worked case).
func TestMigrateOnwardContainers(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateOnwardContainers(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateLotBalance: migration 0125 on PostgreSQL
// (storetest.MigrateLotBalance holds the worked case).
func TestMigrateLotBalance(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateLotBalance(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateContainerEmptied: migration 0123 on PostgreSQL
// (storetest.MigrateContainerEmptied holds the worked case).
func TestMigrateContainerEmptied(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateContainerEmptied(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateSplitReceipt: migration 0126 on PostgreSQL
// (storetest.MigrateSplitReceipt holds the worked case).
func TestMigrateSplitReceipt(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateSplitReceipt(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateLineDrawContainer: migration 0130 on PostgreSQL
// (storetest.MigrateLineDrawContainer holds the worked case).
func TestMigrateLineDrawContainer(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateLineDrawContainer(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateLineDrawLooseFirst: migration 0131 on PostgreSQL
// (storetest.MigrateLineDrawLooseFirst holds the worked case).
func TestMigrateLineDrawLooseFirst(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateLineDrawLooseFirst(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateWeighedShare: migration 0132 on PostgreSQL
// (storetest.MigrateWeighedShare holds the worked case).
func TestMigrateWeighedShare(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateWeighedShare(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateDrawnUnpacked: migration 0133 on PostgreSQL
// (storetest.MigrateDrawnUnpacked holds the worked case).
func TestMigrateDrawnUnpacked(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateDrawnUnpacked(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateDeclaredDraws: migration 0135 on PostgreSQL
// (storetest.MigrateDeclaredDraws holds the worked case).
func TestMigrateDeclaredDraws(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateDeclaredDraws(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateHeavyDrawn: migration 0137 on PostgreSQL
// (storetest.MigrateHeavyDrawn holds the worked case).
func TestMigrateHeavyDrawn(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateHeavyDrawn(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateDeclarationOrder: migration 0138 on PostgreSQL
// (storetest.MigrateDeclarationOrder holds the worked case).
func TestMigrateDeclarationOrder(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateDeclarationOrder(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateTripEndOnce: migration 0139 on PostgreSQL
// (storetest.MigrateTripEndOnce holds the worked case).
func TestMigrateTripEndOnce(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateTripEndOnce(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateTripNoDisposition: migration 0140 on PostgreSQL
// (storetest.MigrateTripNoDisposition holds the worked case).
func TestMigrateTripNoDisposition(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateTripNoDisposition(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}

// TestMigrateUnpackedFed: migration 0142 on PostgreSQL
// (storetest.MigrateUnpackedFed holds the worked case).
func TestMigrateUnpackedFed(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	storetest.MigrateUnpackedFed(t, func() (*sqldb.DB, error) { return postgres.Open(context.Background(), dsn) })
}
