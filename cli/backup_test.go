package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// TestBackupRestoreSQLite captures the demo corridor, backs the database up,
// restores the copy under another name and checks that the restored store
// verifies and answers like the original.
func TestBackupRestoreSQLite(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, nil, append([]string{"capture", "--db", src}, files...)...); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "critmin.backup")
	if out, _, err := run(t, nil, "backup", "--db", src, bak); err != nil || !strings.Contains(out, "backup written") {
		t.Fatalf("backup: %v %q", err, out)
	}
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err == nil || !cli.UsageError(err) {
		t.Errorf("backup over an existing file: %v; want a usage error", err)
	}
	dst := filepath.Join(dir, "restored", "critmin.db")
	out, _, err := run(t, nil, "restore", "--db", dst, bak)
	if err != nil || !strings.Contains(out, "restored") || !strings.Contains(out, "ok:") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, _, err := run(t, nil, "restore", "--db", dst, bak); err == nil || !strings.Contains(cli.Describe(err), "--force") {
		t.Errorf("restore over an existing database: %v; want a refusal naming --force", err)
	}
	assertSameLot(t, src, dst)
	// A server still running on the target: its connection is found and
	// the restore refused even with --force, leaving the database as it is.
	live, err := sqlite.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.CountEvents(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, nil, "restore", "--force", "--db", dst, bak)
	live.Close()
	if err == nil || !strings.Contains(cli.Describe(err), "open in another connection") {
		t.Errorf("restore under a live connection: %v; want a refusal", err)
	}
	if out, _, err := run(t, nil, "restore", "--force", "--db", dst, bak); err != nil || !strings.Contains(out, "ok:") {
		t.Errorf("restore --force once the connection closed: %v\n%s", err, out)
	}
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 40)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "restore", "--db", filepath.Join(dir, "j.db"), junk); err == nil {
		t.Error("restore of a file that is not a database succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "j.db")); !os.IsNotExist(err) {
		t.Error("a refused restore left a database behind")
	}
}

// TestBackupRestorePostgres does the same through pg_dump and pg_restore
// into a second, empty database.
func TestBackupRestorePostgres(t *testing.T) {
	src, dst := pgtest.MustCreateDatabase(t), pgtest.MustCreateDatabase(t)
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, nil, append([]string{"capture", "--db", src}, files...)...); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(t.TempDir(), "pg.backup")
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err != nil {
		t.Fatalf("backup: %v", err)
	}
	out, _, err := run(t, nil, "restore", "--db", dst, bak)
	if err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	assertSameLot(t, src, dst)
	// dst now has tables: pg_restore --clean would replace them, so only
	// --force does; a connected server refuses it even then.
	if _, _, err := run(t, nil, "restore", "--db", dst, bak); err == nil || !strings.Contains(cli.Describe(err), "--force") {
		t.Errorf("restore into a non-empty database: %v; want a refusal naming --force", err)
	}
	live, err := postgres.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.CountEvents(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, nil, "restore", "--force", "--db", dst, bak)
	live.Close()
	if err == nil || !strings.Contains(cli.Describe(err), "other sessions") {
		t.Errorf("restore with a server connected: %v; want a refusal", err)
	}
	if out, _, err := run(t, nil, "restore", "--force", "--db", dst, bak); err != nil || !strings.Contains(out, "ok:") {
		t.Errorf("restore --force: %v\n%s", err, out)
	}
	assertSameLot(t, src, dst)
}

func assertSameLot(t *testing.T, src, dst string) {
	t.Helper()
	want, _, _ := run(t, nil, "lot", "show", "--db", src, "urn:critmin:demo:lot:REE-2025-001")
	got, _, err := run(t, nil, "lot", "show", "--db", dst, "urn:critmin:demo:lot:REE-2025-001")
	if err != nil || got != want || want == "" {
		t.Errorf("restored lot differs: %v\nwant %q\ngot  %q", err, want, got)
	}
}

// TestDSNPasswordNotPrinted: a password given as a query parameter is not
// printed by a failing connect (wrong port, bad option, missing database)
// nor by serve --db-read's start-up check.
func TestDSNPasswordNotPrinted(t *testing.T) {
	const secret = "S3cretPW"
	for _, args := range [][]string{
		{"token", "list", "--db", "postgres://postgres@127.0.0.1:1/x?password=" + secret},
		{"token", "list", "--db", "postgres://postgres@127.0.0.1:5432/x?password=" + secret + "&sslmode=bogus"},
		{"lot", "show", "--db", "postgres://postgres@127.0.0.1:1/x?sslpassword=" + secret, "LOT"},
		{"serve", "--addr", "127.0.0.1:0", "--db", "postgres://postgres@127.0.0.1:1/x?password=" + secret, "--db-read", "postgres://postgres@127.0.0.1:1/y?password=" + secret},
	} {
		out, errOut, err := run(t, nil, args...)
		if err == nil {
			t.Fatalf("%v: no error", args)
		}
		for _, s := range []string{out, errOut, err.Error()} {
			if strings.Contains(s, secret) {
				t.Errorf("%v printed the password: %q", args[:2], s)
			}
		}
	}
}

// TestDatabaseFilesOwnerOnly: the database init creates and the one
// restore writes are 0600 (SQLite gives -wal and -shm the database's mode).
func TestDatabaseFilesOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data", "src.db")
	if _, _, err := run(t, nil, "init", "--db", src); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "critmin.backup")
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "restored.db")
	if _, _, err := run(t, nil, "restore", "--db", dst, bak); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{src, dst} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, m)
		}
	}
}

// TestBackupOfNonCritminDatabase: an empty SQLite file given as --db is
// "not a critmin database" (it is the source, not a backup).
func TestBackupOfNonCritminDatabase(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, nil, "backup", "--db", empty, filepath.Join(dir, "x"))
	if err == nil || !cli.UsageError(err) || !strings.Contains(err.Error(), "not a critmin database") || strings.Contains(err.Error(), "SQLite backup") {
		t.Fatalf("backup of an empty file: %v", err)
	}
}
