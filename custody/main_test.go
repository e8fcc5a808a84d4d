package custody_test

import (
	"os"
	"testing"

	"github.com/critmin/critmin/sqlite"
)

// TestMain seeds each new SQLite store the tests open from one migrated
// template (sqlite.ReuseMigratedSchema) rather than running every
// migration on it again: the tests open hundreds of stores.
func TestMain(m *testing.M) {
	sqlite.ReuseMigratedSchema(true)
	os.Exit(m.Run())
}
