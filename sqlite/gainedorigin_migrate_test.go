package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateGainedOrigin: migration 0119 on SQLite
// (storetest.MigrateGainedOrigin holds the worked case).
func TestMigrateGainedOrigin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateGainedOrigin(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateReceiptContents: migration 0119 on SQLite
// (storetest.MigrateReceiptContents holds the worked case).
func TestMigrateReceiptContents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateReceiptContents(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateGainedOriginAgain: migration 0119 run again, and on a store
// it leaves alone, on SQLite.
func TestMigrateGainedOriginAgain(t *testing.T) {
	dir := t.TempDir()
	storetest.MigrateGainedOriginAgain(t,
		func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), filepath.Join(dir, "a.db")) },
		func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), filepath.Join(dir, "b.db")) })
}

// TestMigrateSupportedOrigin: migration 0120 on SQLite
// (storetest.MigrateSupportedOrigin holds the worked case).
func TestMigrateSupportedOrigin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateSupportedOrigin(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateTripJoins: migration 0121 on SQLite
// (storetest.MigrateTripJoins holds the worked case).
func TestMigrateTripJoins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	storetest.MigrateTripJoins(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateContainerFed: migration 0122 on SQLite
// (storetest.MigrateContainerFed holds the worked case).
func TestMigrateContainerFed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateContainerFed(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateOnwardContainers: migration 0124 on SQLite
// (storetest.MigrateOnwardContainers holds the worked case).
func TestMigrateOnwardContainers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateOnwardContainers(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateLotBalance: migration 0125 on SQLite
// (storetest.MigrateLotBalance holds the worked case).
func TestMigrateLotBalance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateLotBalance(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateContainerEmptied: migration 0123 on SQLite
// (storetest.MigrateContainerEmptied holds the worked case).
func TestMigrateContainerEmptied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateContainerEmptied(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateSplitReceipt: migration 0126 on SQLite
// (storetest.MigrateSplitReceipt holds the worked case).
func TestMigrateSplitReceipt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateSplitReceipt(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateLineDrawContainer: migration 0130 on SQLite
// (storetest.MigrateLineDrawContainer holds the worked case).
func TestMigrateLineDrawContainer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateLineDrawContainer(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateLineDrawLooseFirst: migration 0131 on SQLite
// (storetest.MigrateLineDrawLooseFirst holds the worked case).
func TestMigrateLineDrawLooseFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateLineDrawLooseFirst(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateWeighedShare: migration 0132 on SQLite
// (storetest.MigrateWeighedShare holds the worked case).
func TestMigrateWeighedShare(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateWeighedShare(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateDrawnUnpacked: migration 0133 on SQLite
// (storetest.MigrateDrawnUnpacked holds the worked case).
func TestMigrateDrawnUnpacked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateDrawnUnpacked(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateDeclaredDraws: migration 0135 on SQLite
// (storetest.MigrateDeclaredDraws holds the worked case).
func TestMigrateDeclaredDraws(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateDeclaredDraws(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateHeavyDrawn: migration 0137 on SQLite
// (storetest.MigrateHeavyDrawn holds the worked case).
func TestMigrateHeavyDrawn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateHeavyDrawn(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateDeclarationOrder: migration 0138 on SQLite
// (storetest.MigrateDeclarationOrder holds the worked case).
func TestMigrateDeclarationOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateDeclarationOrder(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateTripEndOnce: migration 0139 on SQLite
// (storetest.MigrateTripEndOnce holds the worked case).
func TestMigrateTripEndOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateTripEndOnce(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateTripNoDisposition: migration 0140 on SQLite
// (storetest.MigrateTripNoDisposition holds the worked case).
func TestMigrateTripNoDisposition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateTripNoDisposition(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}

// TestMigrateUnpackedFed: migration 0142 on SQLite
// (storetest.MigrateUnpackedFed holds the worked case).
func TestMigrateUnpackedFed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	storetest.MigrateUnpackedFed(t, func() (*sqldb.DB, error) { return sqlite.Open(context.Background(), path) })
}
