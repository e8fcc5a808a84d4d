package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqldb"
)

// runBackup writes a consistent copy of a running or stopped database.
// critmin backup [--db DSN] FILE
//
// SQLite: VACUUM INTO, which reads one snapshot inside a read transaction
// while the server keeps capturing (https://sqlite.org/lang_vacuum.html#vacuuminto),
// and writes a compact, self-contained database file. PostgreSQL: pg_dump in
// its custom format, itself a consistent snapshot of one database.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "backup", "backup [--db DSN] FILE\n\nWrites a consistent copy of the database to FILE while it may be in use:\nSQLite through VACUUM INTO, PostgreSQL through pg_dump --format=custom.\nFILE must not exist. critmin restore puts it back.")
	dsn := dbFlag(fs, env)
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	_, pw := startProgress(ctx, env, *showProgress, "backup")
	if fs.NArg() != 1 {
		return usagef("backup takes one FILE, got %d arguments", fs.NArg())
	}
	out := fs.Arg(0)
	if _, err := os.Stat(out); err == nil {
		return usagef("FILE: %s exists; choose a new file name", out)
	}
	fmt.Fprintf(pw, "writing %s…\n", out)
	if postgres.IsDSN(*dsn) {
		if err := pgTool(ctx, env, "pg_dump", "--format=custom", "--no-owner", "--file", out, "--dbname", *dsn); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backup written to %s (pg_dump custom format)\n", out)
		return nil
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	db, ok := store.(*sqldb.DB)
	if !ok {
		return fmt.Errorf("backup: unsupported store %T", store)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	// The read pool is opened read-only; VACUUM INTO only reads the source.
	if _, err := db.Read.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("backup: sqlite vacuum into %s: %w", out, err)
	}
	if st, err := os.Stat(abs); err == nil {
		fmt.Fprintf(pw, "wrote %s bytes\n", count(st.Size()))
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", out)
	return nil
}

// runRestore puts a backup back. critmin restore [--db DSN] [--force] FILE
//
// SQLite: the backup's integrity is checked (PRAGMA integrity_check), then it
// is copied beside the target and renamed over it, so a crash leaves either
// the old or the new database, never half of one; the stale -wal and -shm
// files of the old one are removed. The restored store is opened (which
// applies newer migrations) and its tamper-evident record verified before
// the command reports success. PostgreSQL: pg_restore --clean into the
// named database, then the same verification.
func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "restore", "restore [--db DSN] [--force] FILE\n\nRestores a backup made by critmin backup into --db, then verifies it.\nStop the servers using --db first.")
	dsn := dbFlag(fs, env)
	force := fs.Bool("force", false, "replace an existing database (SQLite file, or a PostgreSQL database that has tables)")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	_, pw := startProgress(ctx, env, *showProgress, "restore")
	if fs.NArg() != 1 {
		return usagef("restore takes one FILE, got %d arguments", fs.NArg())
	}
	in := fs.Arg(0)
	if _, err := os.Stat(in); err != nil {
		return usagef("FILE: no backup at %s", in)
	}
	fmt.Fprintf(pw, "restoring %s into %s…\n", in, *dsn)
	if postgres.IsDSN(*dsn) {
		if err := checkPostgresTarget(ctx, *dsn, *force); err != nil {
			return err
		}
		if err := pgTool(ctx, env, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", *dsn, in); err != nil {
			return err
		}
	} else {
		if err := restoreSQLite(ctx, in, *dsn, *force); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s\n", in, *dsn)
	verifyArgs := []string{"--db", *dsn}
	if *showProgress {
		verifyArgs = append(verifyArgs, "--progress")
	}
	return runVerify(ctx, env, verifyArgs)
}

func restoreSQLite(ctx context.Context, in, target string, force bool) error {
	if _, err := os.Stat(target); err == nil && !force {
		return usagef("--db: %s exists; pass --force to replace it", target)
	}
	if err := sqliteInUse(target); err != nil {
		return err
	}
	if err := checkSQLite(ctx, in); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp := target + ".restore"
	if err := copyFile(in, tmp); err != nil {
		return fmt.Errorf("restore: copy %s: %w", in, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(tmp)
			return fmt.Errorf("restore: remove stale %s: %w", target+suffix, err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// checkSQLite refuses a file that is not a sound SQLite database.
func checkSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("restore: open %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return usagef("FILE: %s is not a SQLite database: %v", path, err)
	}
	if res != "ok" {
		return usagef("FILE: %s fails SQLite's integrity check: %s", path, res)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// pgTool runs one of PostgreSQL's client programs, passing its messages on.
func pgTool(ctx context.Context, env *Env, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s is needed for PostgreSQL backups (Debian package postgresql-client): %w", name, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr strings.Builder
	cmd.Stdout = env.Stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// checkPostgresTarget refuses to restore into a database that has tables
// unless force is given (pg_restore --clean drops what is there), and
// refuses always while other sessions — running servers — are connected
// to it: their writes after the restore began would be lost or mixed in.
func checkPostgresTarget(ctx context.Context, dsn string, force bool) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	var tables, sessions int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		return fmt.Errorf("restore: --db: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&sessions); err != nil {
		return fmt.Errorf("restore: --db: %w", err)
	}
	if sessions > 0 {
		return usagef("--db: %d other sessions are connected to the database; stop the servers using it before restoring", sessions)
	}
	if tables > 0 && !force {
		return usagef("--db: the database is not empty (%d tables); pass --force to replace its contents", tables)
	}
	return nil
}

// sqliteInUse refuses a SQLite database that another connection has open
// — a server still running on it, whose writes would go to the replaced
// file or a stale WAL. Every SQLite connection in WAL mode holds a shared
// lock on the "dead man switch" byte of the -shm file for as long as it is
// open (SQLite's WAL locking, os_unix.c unixOpenSharedMemory); an open file
// description lock (F_OFD_SETLK), which conflicts with the locks of other
// processes and of other connections in this one, tests for it.
func sqliteInUse(target string) error {
	f, err := os.OpenFile(target+"-shm", os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	const dmsByte = 128 // WALINDEX_LOCK_OFFSET (120) + SQLITE_SHM_NLOCK (8)
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: dmsByte, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk); err != nil {
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
			return usagef("--db: %s is open in another connection (a server still running on it?); stop it before restoring", target)
		}
		return fmt.Errorf("restore: lock %s-shm: %w", target, err)
	}
	lk.Type = unix.F_UNLCK
	return unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}
