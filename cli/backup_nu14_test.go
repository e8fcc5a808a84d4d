package cli_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/postgres/pgtest"
)

// captureCorridor captures the demo corridor into a new SQLite file.
func captureCorridor(t *testing.T, db string) {
	t.Helper()
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, nil, append([]string{"capture", "--db", db}, files...)...); err != nil {
		t.Fatal(err)
	}
}

// onlyFiles lists the names in dir.
func onlyFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestBackupWhileWriterHoldsLock backs up a database while another
// connection holds its write lock in an open transaction, as a server does
// during a long capture. The backup must read its snapshot beside the
// writer (and not see the uncommitted row), not wait for the lock and fail
// with "database is locked".
func TestBackupWhileWriterHoldsLock(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	captureCorridor(t, src)
	w, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(1000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE uncommitted_marker (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "b.backup")
	if out, _, err := run(t, nil, "backup", "--db", src, bak); err != nil || !strings.Contains(out, "backup written") {
		t.Fatalf("backup while a writer holds the lock: %v %q", err, out)
	}
	b, err := sql.Open("sqlite", "file:"+bak+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var n int
	if err := b.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'uncommitted_marker'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("backup holds the writer's uncommitted table: n=%d err=%v", n, err)
	}
	if names := onlyFiles(t, dir); len(names) != 4 { // src.db, -wal, -shm, b.backup
		t.Errorf("files after backup: %v; want src.db, its -wal and -shm, b.backup", names)
	}
}

// TestBackupLeavesNoPartialFile: a backup that fails (here: --db is a
// SQLite file but not a critmin database) leaves neither FILE nor a
// temporary file behind.
func TestBackupLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	p, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	p.Close()
	out := filepath.Join(dir, "out.backup")
	if _, _, err := run(t, nil, "backup", "--db", plain, out); err == nil || !strings.Contains(cli.Describe(err), "not a critmin") {
		t.Errorf("backup of a non-critmin database: %v", err)
	}
	for _, n := range onlyFiles(t, dir) {
		if n != "plain.db" {
			t.Errorf("failed backup left %s", n)
		}
	}
}

// TestRestoreRefusesNonBackup: an empty file, a SQLite database without
// critmin's schema and one from a newer critmin are refused even with
// --force, and the existing database is left as it was.
func TestRestoreRefusesNonBackup(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "dst.db")
	captureCorridor(t, dst)
	before, _, _ := run(t, nil, "lot", "show", "--db", dst, "urn:critmin:demo:lot:REE-2025-001")
	empty := filepath.Join(dir, "empty.backup")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.backup")
	p, _ := sql.Open("sqlite", plain)
	if _, err := p.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	p.Close()
	newer := filepath.Join(dir, "newer.backup")
	if _, _, err := run(t, nil, "backup", "--db", dst, newer); err != nil {
		t.Fatal(err)
	}
	nw, _ := sql.Open("sqlite", newer)
	if _, err := nw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99999, '99999_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	nw.Close()
	for _, c := range []struct{ file, want string }{{empty, "empty"}, {plain, "schema_migrations"}, {newer, "newer than this binary"}} {
		_, _, err := run(t, nil, "restore", "--force", "--db", dst, c.file)
		if err == nil || !cli.UsageError(err) || !strings.Contains(cli.Describe(err), c.want) {
			t.Errorf("restore --force %s: %v; want a refusal saying %q", filepath.Base(c.file), err, c.want)
		}
	}
	if after, _, err := run(t, nil, "lot", "show", "--db", dst, "urn:critmin:demo:lot:REE-2025-001"); err != nil || after != before || before == "" {
		t.Errorf("the target changed after refused restores: %v", err)
	}
}

// TestRestoreVerifiesBeforeSwap restores a backup whose event record was
// altered (SQLite's integrity check passes, critmin verify does not): with
// --force the old database stays, without it nothing is left at the target.
func TestRestoreVerifiesBeforeSwap(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	captureCorridor(t, src)
	bak := filepath.Join(dir, "bad.backup")
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err != nil {
		t.Fatal(err)
	}
	b, _ := sql.Open("sqlite", bak)
	if _, err := b.Exec(`UPDATE events SET raw = REPLACE(raw, 'commissioning', 'inspecting') WHERE event_id = 'urn:critmin:demo:event:001'`); err != nil {
		t.Fatal(err)
	}
	b.Close()
	before, _, _ := run(t, nil, "lot", "show", "--db", src, "urn:critmin:demo:lot:REE-2025-001")
	if _, _, err := run(t, nil, "restore", "--force", "--db", src, bak); err == nil || !strings.Contains(err.Error(), "left unchanged") {
		t.Errorf("restore --force of an altered backup: %v; want a refusal", err)
	}
	if after, _, err := run(t, nil, "verify", "--db", src); err != nil || !strings.Contains(after, "ok:") {
		t.Errorf("the old database no longer verifies after a refused restore: %v", err)
	}
	if after, _, _ := run(t, nil, "lot", "show", "--db", src, "urn:critmin:demo:lot:REE-2025-001"); after != before {
		t.Error("the old database changed after a refused restore")
	}
	newDir := filepath.Join(dir, "new", "sub")
	if _, _, err := run(t, nil, "restore", "--db", filepath.Join(newDir, "n.db"), bak); err == nil {
		t.Error("restore of an altered backup into a new path succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Errorf("a failed restore left %s behind: %v", filepath.Join(dir, "new"), err)
	}
	for _, n := range onlyFiles(t, dir) {
		if strings.Contains(n, "restore") {
			t.Errorf("a failed restore left %s", n)
		}
	}
}

// TestRestorePostgresRefusesBadBackupKeepsTarget: an empty file and a dump
// of an empty database are refused with --force, and the target keeps its
// data (the restore went to a staging database that was dropped).
func TestRestorePostgresRefusesBadBackupKeepsTarget(t *testing.T) {
	dst, empty := pgtest.MustCreateDatabase(t), pgtest.MustCreateDatabase(t)
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, nil, append([]string{"capture", "--db", dst}, files...)...); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	emptyFile := filepath.Join(dir, "empty.backup")
	if err := os.WriteFile(emptyFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDump := filepath.Join(dir, "emptydb.backup")
	// critmin backup refuses an empty database (fix14o: "not a critmin
	// database"), so pg_dump makes the archive of one, as an operator's
	// own dump of a wrong database would be.
	if out, err := exec.Command("pg_dump", "--format=custom", "--no-owner", "--file", emptyDump, "--dbname", empty).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump of the empty database: %v\n%s", err, out)
	}
	before, _, _ := run(t, nil, "lot", "show", "--db", dst, "urn:critmin:demo:lot:REE-2025-001")
	for _, f := range []string{emptyFile, emptyDump} {
		if _, _, err := run(t, nil, "restore", "--force", "--db", dst, f); err == nil || !strings.Contains(cli.Describe(err), "not a critmin") {
			t.Errorf("restore --force %s: %v; want a refusal", filepath.Base(f), err)
		}
	}
	if after, _, err := run(t, nil, "lot", "show", "--db", dst, "urn:critmin:demo:lot:REE-2025-001"); err != nil || after != before || before == "" {
		t.Errorf("target changed after refused restores: %v", err)
	}
	admin, err := sql.Open("pgx", pgtest.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// The staging and set-aside databases of a restore into dst are named
	// after it (cli/backup.go: "%.40s_restore_%d", "%.40s_prerestore_%d");
	// other tests and processes on the same server restore their own.
	u, err := url.Parse(dst)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if len(name) > 40 {
		name = name[:40]
	}
	var n int
	if err := admin.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`, name+"\\_restore\\_%", name+"\\_prerestore\\_%").Scan(&n); err != nil || n != 0 {
		t.Errorf("staging databases left: %d (%v)", n, err)
	}
}

// TestServeRefusesPrimaryAsReplica: --db-read equal to --db is refused
// naming the flag, before anything is opened.
func TestServeRefusesPrimaryAsReplica(t *testing.T) {
	dsn := "postgres://postgres@127.0.0.1:1/none?sslmode=disable"
	_, _, err := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--db-read", dsn)
	if err == nil || !cli.UsageError(err) || !strings.Contains(cli.Describe(err), "--db-read") || !strings.Contains(cli.Describe(err), "same database") {
		t.Errorf("serve --db X --db-read X: %v; want a usage error naming --db-read", err)
	}
}

// TestTokenNameSpoofing: the CLI refuses a name with a newline or a
// right-to-left override, and `token list` escapes such a name stored
// before the rule (here written straight into the database), so it cannot
// forge a second row.
func TestTokenNameSpoofing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x\nroot  admin", "a\u202eb"} {
		if _, _, err := run(t, nil, "token", "create", "--db", db, "--name", name, "--role", "viewer"); err == nil || !strings.Contains(cli.Describe(err), "bidirectional") {
			t.Errorf("token create --name %q: %v", name, err)
		}
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO tokens (name, role, hash, created_us) VALUES (?, 'viewer', 'h', 1767225600000000)`, "old\nroot  admin  active"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, _, err := run(t, nil, "token", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(out, `"old\nroot  admin  active"`) {
		t.Errorf("token list with a stored newline name:\n%s", out)
	}
}

// TestTokenExpiresFlagErrors: --expires errors name the flag as typed and
// give the real reason.
func TestTokenExpiresFlagErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ flag, value, want string }{
		{"--expires", "-5h", "--expires: \"-5h\" is not after now"},
		{"--expires", "999999999h", "--expires: \"999999999h\" is too long"},
		{"--expires-at", "never", "--expires-at: not an RFC 3339 time"},
	} {
		_, _, err := run(t, nil, "token", "create", "--db", db, "--name", "n", "--role", "viewer", c.flag+"="+c.value)
		if err == nil || !strings.Contains(cli.Describe(err), c.want) || strings.Contains(cli.Describe(err), "expires_") {
			t.Errorf("%s=%s: %v; want %q", c.flag, c.value, err, c.want)
		}
	}
}

// TestTopHelpListsEverySubcommand: `critmin --help` lists every
// subcommand of token, lot and bench — the ones each command's own usage
// error names (issue 14 new-user check: "token … (token create)").
func TestTopHelpListsEverySubcommand(t *testing.T) {
	out, _, err := run(t, nil, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for cmd, subs := range map[string][]string{
		"token": {"create", "list", "revoke"},
		"lot":   {"show", "trace", "origin", "rules", "certificate"},
		"bench": {"capture", "query", "load", "risk", "genealogy", "verify", "plan", "refinery", "soak"},
	} {
		_, _, uerr := run(t, nil, cmd, "no-such-subcommand")
		var line string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] == cmd {
				line = l
			}
		}
		for _, sub := range subs {
			if uerr == nil || !strings.Contains(cli.Describe(uerr), sub) {
				t.Errorf("%s's usage error does not name %s: %v", cmd, sub, uerr)
			}
			if !strings.Contains(line, sub) {
				t.Errorf("critmin --help line for %s does not list %s: %q", cmd, sub, line)
			}
		}
	}
}

// TestBackupPostgresFileModeAndNoPartial: a PostgreSQL backup is written
// 0600 (as SQLite's), and a pg_dump that fails half-way leaves no FILE,
// so that a rerun is not refused as "exists".
func TestBackupPostgresFileModeAndNoPartial(t *testing.T) {
	src := pgtest.MustCreateDatabase(t)
	captureCorridor(t, src)
	dir := t.TempDir()
	bak := filepath.Join(dir, "pg.backup")
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(bak)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
		t.Errorf("backup mode %v size %d; want -rw------- and non-empty", fi.Mode().Perm(), fi.Size())
	}
	// A pg_dump that fails (a database that does not exist) leaves
	// nothing in dir but the first backup.
	bad := filepath.Join(dir, "bad.backup")
	if _, _, err := run(t, nil, "backup", "--db", src+"_nonexistent", bad); err == nil {
		t.Fatal("backup of a missing database succeeded")
	}
	if names := onlyFiles(t, dir); len(names) != 1 || names[0] != "pg.backup" {
		t.Errorf("files after a failed backup: %v; want only pg.backup", names)
	}
}

// TestRestorePostgresIntoNewDatabase: restoring into a database that does
// not exist creates it, as SQLite restores into a new path.
func TestRestorePostgresIntoNewDatabase(t *testing.T) {
	src := pgtest.MustCreateDatabase(t)
	captureCorridor(t, src)
	bak := filepath.Join(t.TempDir(), "pg.backup")
	if _, _, err := run(t, nil, "backup", "--db", src, bak); err != nil {
		t.Fatal(err)
	}
	spare := pgtest.MustCreateDatabase(t) // dropped at cleanup, under whatever it holds
	admin, err := sql.Open("pgx", pgtest.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := spare[strings.LastIndex(spare, "/")+1:]
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, nil, "restore", "--db", spare, bak); err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("restore into a new database: %v\n%s", err, out)
	}
	assertSameLot(t, src, spare)
}
