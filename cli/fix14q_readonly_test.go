package cli_test

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestWritingCommandsOnReadOnlyDatabase (issue 14, fix14q item 2): lot
// certificate given a read-only database — a hot standby, here a
// database in default_transaction_read_only, which refuses writes with
// the same SQLSTATE 25006 — printed the driver's "cannot execute CREATE
// TABLE in a read-only transaction (SQLSTATE 25006)". It now says in one
// sentence that it signs and stores the certificate and so needs a
// writable primary, naming --db; the other commands that write (capture,
// token create) say the same with what they write. lot certificate --help
// says that it signs and stores the certificate.
func TestWritingCommandsOnReadOnlyDatabase(t *testing.T) {
	db := pgtest.MustCreateDatabase(t)
	env := map[string]string{"CRITMIN_DATA": t.TempDir()}
	key := filepath.Join(t.TempDir(), "k.key")
	if _, _, err := run(t, nil, "keygen", "--out", key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld"); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`ALTER DATABASE "` + pgName(t, db) + `" SET default_transaction_read_only = on`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		what string
	}{
		{[]string{"lot", "certificate", "--db", db, "--key", key, "urn:critmin:demo:lot:REE-2025-001"}, "signs the certificate and stores it"},
		{[]string{"capture", "--db", db, "../demo/corridor/02-voyage-and-us-receipt.jsonld"}, "stores the events"},
		{[]string{"token", "create", "--db", db, "--name", "x", "--role", "viewer"}, "stores the new token"},
	} {
		// cli.Run itself: the test helper run would first init the
		// database, itself a write.
		e := &cli.Env{Stdout: io.Discard, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }}
		err := cli.Run(context.Background(), e, c.args)
		msg := cli.Describe(err)
		if err == nil || !strings.Contains(msg, c.what) || !strings.Contains(msg, "writable primary") || !strings.Contains(msg, "--db "+db) ||
			strings.Contains(msg, "SQLSTATE") || strings.Count(msg, ". ") > 0 || strings.HasPrefix(msg, "critmin ") {
			t.Errorf("%v: %s; want one sentence: %q, a writable primary needed, --db named, not beginning \"critmin \" (printed after \"critmin: \")", c.args[:2], msg, c.what)
		}
	}
	// Reading commands still read it.
	e := &cli.Env{Stdout: io.Discard, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }}
	if err := cli.Run(context.Background(), e, []string{"lot", "show", "--db", db, "urn:critmin:demo:lot:REE-2025-001"}); err != nil {
		t.Errorf("lot show on the read-only database: %v", err)
	}
	out, _, err := run(t, nil, "lot", "certificate", "--help")
	if err != nil || !strings.Contains(out, "Signs an origin certificate") || !strings.Contains(out, "stores it in the") {
		t.Errorf("lot certificate --help does not say it signs and stores the certificate:\n%s", out)
	}
}
