package cli_test

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/postgres/pgtest"
)

// TestKeyValueDSNIsPostgres: a key=value DSN given to --db opens the
// PostgreSQL database it names, for init, a read-only command and
// backup's DSN handling, and no SQLite file named after it (password
// and all) appears in the working directory.
func TestKeyValueDSNIsPostgres(t *testing.T) {
	u, err := url.Parse(pgtest.MustCreateDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	kv := "host=" + u.Hostname() + " port=" + u.Port() + " user=" + u.User.Username() +
		" password=unused dbname=" + strings.TrimPrefix(u.Path, "/") + " sslmode=disable"
	dir := t.TempDir()
	t.Chdir(dir)
	out, _, err := run(t, nil, "init", "--db", kv)
	if err != nil {
		t.Fatalf("init on a key=value DSN: %v", err)
	}
	if !strings.Contains(out, "password=xxxxx") || strings.Contains(out, "unused") {
		t.Errorf("init printed %q; want the DSN with its password redacted", out)
	}
	if _, _, err := run(t, nil, "token", "list", "--db", kv); err != nil {
		t.Fatalf("token list on a key=value DSN: %v", err)
	}
	if _, _, err := run(t, nil, "verify", "--db", kv); err != nil {
		t.Fatalf("verify on a key=value DSN: %v", err)
	}
	// backup takes the password off pg_dump's command line through the
	// URL form of the DSN (postgres.URLForm)
	if _, _, err := run(t, nil, "backup", "--db", kv, "critmin.backup"); err != nil {
		t.Fatalf("backup of a key=value DSN: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "critmin.backup" {
			t.Errorf("a file %q was created in the working directory", e.Name())
		}
	}
}

// TestDSNSecretNotInErrors: every command that takes --db, given a DSN
// that is refused or does not connect, prints no part of its password:
// key=value DSNs (before this fix taken as a SQLite path: "no database
// at host=… password=…"), and postgres:// URLs that Go's url.Parse
// rejects (its error quotes the whole URL, and "invalid port" the piece
// of the password after a stray : # or ?).
func TestDSNSecretNotInErrors(t *testing.T) {
	const secret = "S3cretPW"
	dsns := []string{
		"host=127.0.0.1 port=1 user=postgres password=" + secret + " dbname=nosuch",
		"host=127.0.0.1 port=1 password='" + secret + " x' dbname=nosuch",
		"data.db password=" + secret,
		"postgres://u:pa:" + secret + "@127.0.0.1:1/db",  // invalid port
		"postgres://u:pa#" + secret + "@127.0.0.1:1/db",  // # in password
		"postgres://u:12#" + secret + "@127.0.0.1:1/db",  // parses, as host u port 12
		"postgres://u:pa?" + secret + "@127.0.0.1:1/db",  // ? in password
		"postgres://u:p%zz" + secret + "@127.0.0.1:1/db", // invalid escape
		"postgres://u[:" + secret + "@127.0.0.1:1/db",    // invalid userinfo
		"mysql://u:" + secret + "@127.0.0.1:1/db",        // other scheme
		"postgres://u:" + secret + "@127.0.0.1:1/db",     // well formed, does not connect
	}
	cmds := [][]string{
		{"events"}, {"verify"}, {"token", "list"}, {"token", "revoke", "x"},
		{"lot", "show", "x"}, {"init"}, {"backup", "OUT"}, {"restore", "IN"},
		{"serve", "--addr", "127.0.0.1:0"},
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("IN", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dsn := range dsns {
		for _, cmd := range cmds {
			args := append(append([]string{}, cmd...), "--db", dsn)
			out, errOut, err := run(t, nil, args...)
			if err == nil {
				t.Errorf("%v --db %q: no error", cmd, dsn)
				continue
			}
			for _, s := range []string{out, errOut, err.Error()} {
				if strings.Contains(s, secret) {
					t.Errorf("%v --db %q printed the password: %q", cmd, dsn, s)
				}
			}
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "IN" {
			t.Errorf("a file %q was created in the working directory", e.Name())
		}
	}
}
