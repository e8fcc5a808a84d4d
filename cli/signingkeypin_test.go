package cli_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestServeRefusesAnotherSigningKey (new-user check 14f item 7): a second
// server on the same database with another --signing-key served, and the
// two published different keys, so certificates of one failed against the
// other's. The first server to start on a database pins its key there;
// a server with another key refuses to start, naming both key IDs and the
// fix; the pinned key starts again. Each serve that starts is stopped
// once it says it is serving.
func TestServeRefusesAnotherSigningKey(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "c.db")
			if backend == "postgres" {
				db = pgtest.MustCreateDatabase(t)
			}
			keyA, keyB := filepath.Join(dir, "a.key"), filepath.Join(dir, "b.key")
			for _, k := range []string{keyA, keyB} {
				if _, _, err := run(t, nil, "keygen", "--out", k); err != nil {
					t.Fatal(err)
				}
			}
			serve := func(key string) error {
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
				return <-done
			}
			id := func(file string) string {
				k, err := custody.LoadPrivateKey(file)
				if err != nil {
					t.Fatal(err)
				}
				return custody.PublicKeyIDOf(k.Public().(ed25519.PublicKey))
			}
			if err := serve(keyA); err != nil {
				t.Fatalf("first server, key A: %v", err)
			}
			err := serve(keyB)
			if err == nil || !strings.Contains(err.Error(), id(keyB)) || !strings.Contains(err.Error(), id(keyA)) || !strings.Contains(err.Error(), "copy the signing.key") {
				t.Fatalf("second server, key B: %v; want a refusal naming %s, %s and the fix", err, id(keyB), id(keyA))
			}
			if err := serve(keyA); err != nil {
				t.Errorf("key A again: %v", err)
			}
		})
	}
}
