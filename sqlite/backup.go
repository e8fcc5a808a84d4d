package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNotBackup is wrapped by CheckBackup's refusals of a file that is not a
// sound critmin SQLite database.
var ErrNotBackup = errors.New("not a critmin SQLite backup")

// ErrNotDatabase is wrapped by Backup's refusal of a source that is a
// SQLite file but not a critmin database (no migration recorded).
var ErrNotDatabase = errors.New("not a critmin database")

// backupBusyTimeout is how long the backup's read connection waits on a
// lock (milliseconds). A reader in WAL mode waits only while the WAL index
// is being rebuilt or restarted, never for a running capture.
const backupBusyTimeout = 60000

// openReadOnly opens path read-only, without migrating or writing to it:
// a backup must not need the write lock a running capture holds.
func openReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(backupBusyTimeout)+")")
	q.Add("mode", "ro")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Backup writes a consistent copy of the database at src to the new file
// dst, while a server may be capturing into src.
//
// VACUUM INTO reads one snapshot inside a single read transaction
// (https://sqlite.org/lang_vacuum.html#vacuuminto), and in WAL mode a
// reader never waits for the writer (https://sqlite.org/wal.html), so the
// copy neither blocks nor is blocked by capture. It runs on a read-only
// connection that applies no migration. The copy is written to a temporary
// file beside dst, fsynced, and only then linked to dst (which fails if
// dst appeared meanwhile) and the directory fsynced: dst is either absent
// or complete, never empty or partial.
func Backup(ctx context.Context, src, dst string) (size int64, err error) {
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("sqlite: backup: no database at %s: %w", src, err)
	}
	db, err := openReadOnly(src)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := migrationVersion(ctx, db, ErrNotDatabase); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %s: %w", src, err)
	}
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close() // VACUUM INTO accepts an existing empty file
	defer func() {
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return 0, fmt.Errorf("sqlite: backup: vacuum into %s: %w", dst, err)
	}
	f, err := os.OpenFile(tmpName, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: sync %s: %w", tmpName, err)
	}
	if err := os.Link(tmpName, dst); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	_ = os.Remove(tmpName)
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	return st.Size(), nil
}

// CheckBackup refuses a file that is not a critmin SQLite database this
// binary can open: it must be a SQLite file passing PRAGMA
// integrity_check, hold the schema_migrations table with at least one
// migration, and have no migration newer than this binary knows. An empty
// file — which SQLite opens as an empty database — is refused.
func CheckBackup(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotBackup, err)
	}
	if st.Size() == 0 {
		return fmt.Errorf("%w: %s is empty", ErrNotBackup, path)
	}
	db, err := openReadOnly(path)
	if err != nil {
		return fmt.Errorf("%w: open %s: %v", ErrNotBackup, path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("%w: %s is not a SQLite database: %v", ErrNotBackup, path, err)
	}
	if res != "ok" {
		return fmt.Errorf("%w: %s fails SQLite's integrity check: %s", ErrNotBackup, path, res)
	}
	v, err := migrationVersion(ctx, db, ErrNotBackup)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if latest := LatestMigration(); v > latest {
		return fmt.Errorf("%w: %s has schema version %d, newer than this binary's %d; upgrade critmin", ErrNotBackup, path, v, latest)
	}
	return nil
}

// migrationVersion is the highest migration recorded in db, or an error
// wrapping notCritmin (ErrNotBackup or ErrNotDatabase) when db has no
// schema_migrations table or no row.
func migrationVersion(ctx context.Context, db *sql.DB, notCritmin error) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("%w: %v", notCritmin, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: no schema_migrations table", notCritmin)
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%w: %v", notCritmin, err)
	}
	if !v.Valid || v.Int64 < 1 {
		return 0, fmt.Errorf("%w: no migration recorded", notCritmin)
	}
	return int(v.Int64), nil
}

// LatestMigration is the highest migration number this binary carries.
func LatestMigration() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	latest := 0
	for _, name := range names {
		if v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0]); err == nil {
			latest = max(latest, v)
		}
	}
	return latest
}

// Checkpoint folds the write-ahead log of the closed database at path into
// the main file and switches it to rollback-journal mode, so that the
// database is one self-contained file that can be renamed (the next Open
// turns WAL back on).
func Checkpoint(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma="+url.QueryEscape("busy_timeout(10000)"))
	if err != nil {
		return fmt.Errorf("sqlite: checkpoint %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: checkpoint %s: %w", path, err)
	}
	if mode != "delete" {
		return fmt.Errorf("sqlite: checkpoint %s: journal mode stayed %s", path, mode)
	}
	return nil
}

// syncDir fsyncs a directory so that a rename or link in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir fsyncs dir (after a rename in it).
func SyncDir(dir string) error { return syncDir(dir) }
