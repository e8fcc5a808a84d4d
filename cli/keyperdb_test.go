package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/custody"
)

// TestSigningKeyPerDatabase (fix13b 2): the installation signing key of
// a SQLite database DB is DB.signing.key beside it, so two databases in
// one directory (a.db and b.db in /tmp) each get their own key; before,
// both used the directory's signing.key and the second pinned the
// first's key as its own.
func TestSigningKeyPerDatabase(t *testing.T) {
	dir := t.TempDir()
	close := func(db string) (string, error) {
		if _, _, err := run(t, nil, "init", "--db", db); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := run(t, map[string]string{"CRITMIN_DB": db}, "refinery", "close", "--operator", "metallurgist", "demo")
		return stderr, err
	}
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for _, db := range []string{a, b} {
		stderr, err := close(db)
		if err != nil {
			t.Fatalf("close %s: %v", db, err)
		}
		if !strings.Contains(stderr, "created the installation signing key "+db+".signing.key") {
			t.Errorf("close %s did not create its own key: %s", db, stderr)
		}
	}
	ka, errA := os.ReadFile(a + ".signing.key")
	kb, errB := os.ReadFile(b + ".signing.key")
	if errA != nil || errB != nil || bytes.Equal(ka, kb) {
		t.Fatalf("keys of a.db and b.db: %v %v, equal %v", errA, errB, bytes.Equal(ka, kb))
	}
	if _, err := os.Stat(filepath.Join(dir, "signing.key")); !os.IsNotExist(err) {
		t.Errorf("a shared signing.key was created in %s", dir)
	}
}

// TestLegacySigningKey (fix13b 2): a signing.key in the directory (kept
// there before keys were per database) is used by a database that
// pinned it, and refused — never adopted — by one that pinned none, with
// a message naming CRITMIN_SIGNING_KEY; the refused close records
// nothing and creates no key.
func TestLegacySigningKey(t *testing.T) {
	dir := t.TempDir()
	legacy := filepath.Join(dir, "signing.key")
	if _, err := custody.GenerateKey(legacy); err != nil {
		t.Fatal(err)
	}
	// c.db pins no key: the shared file is refused.
	c := filepath.Join(dir, "c.db")
	if _, _, err := run(t, nil, "init", "--db", c); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": c}
	_, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo")
	if err == nil || !strings.Contains(err.Error(), legacy) || !strings.Contains(err.Error(), "CRITMIN_SIGNING_KEY") || !strings.Contains(err.Error(), "not adopted") {
		t.Fatalf("close beside a shared signing.key: %v", err)
	}
	if _, err := os.Stat(c + ".signing.key"); !os.IsNotExist(err) {
		t.Errorf("a key was created for c.db although the close was refused")
	}
	out, _, err := run(t, env, "refinery", "report", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--format", "csv")
	if err == nil && strings.Contains(out, "Summary,closed_by,metallurgist") {
		t.Errorf("the refused close recorded the period: %s", out)
	}
	// Named with CRITMIN_SIGNING_KEY it is this database's: the close
	// pins it, and later commands use it without being told.
	env["CRITMIN_SIGNING_KEY"] = legacy
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatalf("close with CRITMIN_SIGNING_KEY: %v", err)
	}
	delete(env, "CRITMIN_SIGNING_KEY")
	if _, _, err := run(t, env, "refinery", "reopen", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--reason", "recount", "--admin", "boss"); err != nil {
		t.Fatalf("reopen of a store that pinned the legacy key: %v", err)
	}
	if _, err := os.Stat(c + ".signing.key"); !os.IsNotExist(err) {
		t.Errorf("a new key was created for c.db, which pins the legacy one")
	}
}

// TestServeSigningKeyPerDatabase (fix13b 2): critmin serve on two SQLite
// databases in one directory creates and pins one key each; beside a
// legacy signing.key, a database that pinned it serves with it and one
// that pinned none refuses to start, naming CRITMIN_SIGNING_KEY.
func TestServeSigningKeyPerDatabase(t *testing.T) {
	serve := func(db string, extra ...string) error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		env := &cli.Env{Stdout: pw, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
		done := make(chan error, 1)
		go func() {
			err := cli.Run(ctx, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...))
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
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for _, db := range []string{a, b} {
		if err := serve(db); err != nil {
			t.Fatalf("serve %s: %v", db, err)
		}
	}
	ka, errA := os.ReadFile(a + ".signing.key")
	kb, errB := os.ReadFile(b + ".signing.key")
	if errA != nil || errB != nil || bytes.Equal(ka, kb) {
		t.Fatalf("keys of a.db and b.db: %v %v, equal %v", errA, errB, bytes.Equal(ka, kb))
	}
	if err := serve(a); err != nil {
		t.Errorf("a.db again with its own key: %v", err)
	}

	old := t.TempDir()
	legacy := filepath.Join(old, "signing.key")
	if _, err := custody.GenerateKey(legacy); err != nil {
		t.Fatal(err)
	}
	pinned := filepath.Join(old, "pinned.db")
	if err := serve(pinned, "--signing-key", legacy); err != nil {
		t.Fatal(err)
	}
	if err := serve(pinned); err != nil {
		t.Errorf("a database that pinned the legacy signing.key: %v", err)
	}
	if _, err := os.Stat(pinned + ".signing.key"); !os.IsNotExist(err) {
		t.Errorf("a new key was made for a database that pinned the legacy one")
	}
	fresh := filepath.Join(old, "fresh.db")
	if err := serve(fresh); err == nil || !strings.Contains(err.Error(), "CRITMIN_SIGNING_KEY") || !strings.Contains(err.Error(), legacy) {
		t.Errorf("a new database beside a legacy signing.key: %v, want a refusal naming it and CRITMIN_SIGNING_KEY", err)
	}
	if _, err := os.Stat(fresh + ".signing.key"); !os.IsNotExist(err) {
		t.Errorf("a key was made for the refused database")
	}
}
