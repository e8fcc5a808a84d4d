package cli_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestRefineryCloseMakesKeyOnPostgres (fix1213 items 3 and 5): on a
// PostgreSQL store with no key anywhere, refinery close creates the
// installation key in the data directory (CRITMIN_DATA), as critmin serve
// does, and says on stderr that this close pins it; the reopen that
// follows uses the same key and pins nothing new. Once a server has
// pinned its certificate key on the database, a CLI without that key
// makes none: the error says to point CRITMIN_SIGNING_KEY at the
// server's key. The key file is the database's own,
// postgres-NAME.signing.key (fix1213c).
func TestRefineryCloseMakesKeyOnPostgres(t *testing.T) {
	db := pgtest.MustCreateDatabase(t)
	data := t.TempDir()
	env := map[string]string{"CRITMIN_DATA": data}
	if _, _, err := run(t, env, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	out, errOut, err := run(t, env, "refinery", "close", "--db", db, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor")
	if err != nil || !strings.Contains(out, "closed "+site+" 2025-10") {
		t.Fatalf("close on PostgreSQL without a key: %v\n%s%s", err, out, errOut)
	}
	key := filepath.Join(data, "postgres-"+pgName(t, db)+".signing.key") // one per database (fix1213c)
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("no installation key made at %s: %v", key, err)
	}
	if !strings.Contains(errOut, "created the installation signing key "+key) || !strings.Contains(errOut, "this record pins "+key) {
		t.Errorf("stderr does not say the key was created and pinned:\n%s", errOut)
	}
	_, errOut, err = run(t, env, "refinery", "reopen", "--db", db, "--site", site, "--period", "2025-10", "--admin", "boss", "--reason", "late assay")
	if err != nil {
		t.Fatalf("reopen with the made key: %v\n%s", err, errOut)
	}
	if strings.Contains(errOut, "pins") || strings.Contains(errOut, "created") {
		t.Errorf("the reopen pinned or created again:\n%s", errOut)
	}

	served := pgtest.MustCreateDatabase(t)
	serverKey := filepath.Join(t.TempDir(), "server.key")
	if _, _, err := run(t, nil, "keygen", "--out", serverKey); err != nil {
		t.Fatal(err)
	}
	mustServeOnce(t, served, serverKey)
	if _, _, err := run(t, nil, "capture", "--db", served, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	other := map[string]string{"CRITMIN_DATA": t.TempDir()}
	_, _, err = run(t, other, "refinery", "close", "--db", served, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor")
	if err == nil || !strings.Contains(err.Error(), "CRITMIN_SIGNING_KEY") || !strings.Contains(err.Error(), "servers of this database sign with key") {
		t.Fatalf("close without the server's key on a served database: %v", err)
	}
	if made, _ := filepath.Glob(filepath.Join(other["CRITMIN_DATA"], "*signing.key")); len(made) > 0 {
		t.Errorf("a key was made beside a served database")
	}
}

// mustServeOnce starts critmin serve on db with key and stops it once it
// says it is serving (its certificate key is then pinned in db).
func mustServeOnce(t *testing.T, db, key string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env := &cli.Env{Stdout: pw, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	done := make(chan error, 1)
	go func() {
		err := cli.Run(ctx, env, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--signing-key", key})
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "critmin is serving") {
			cancel()
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
