package cli_test

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/postgres/pgtest"
)

// A refused restore into a PostgreSQL database that does not exist says
// "nothing was created", as the SQLite path does; it said "…was left
// unchanged" of a database that was never there.
func TestRestorePostgresMissingSaysNothingCreated(t *testing.T) {
	admin := pgtest.AdminDSN()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/fix14f_no_such_db"
	_, err = runRaw("restore", "--db", u.String(), filepath.Join(t.TempDir(), "none.dump"))
	if err == nil || !strings.Contains(err.Error(), "nothing was created") || strings.Contains(err.Error(), "left unchanged") {
		t.Errorf("restore into a missing PostgreSQL database: %v; want nothing was created", err)
	}
}
