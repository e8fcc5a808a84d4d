package postgres_test

import (
	"os"
	"testing"

	"github.com/critmin/critmin/postgres/pgtest"
)

// TestMain gives each test's store a copy of one migrated database
// (pgtest.Main) rather than a new database migrated again.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
