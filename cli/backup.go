package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqlite"
)

// runBackup writes a consistent copy of a running or stopped database.
// critmin backup [--db DSN] FILE
//
// SQLite: sqlite.Backup — VACUUM INTO on a read-only connection that
// applies no migration, so it reads one snapshot while the server keeps
// capturing, into a temporary file that is fsynced and then linked to FILE
// (never a partial or empty FILE). PostgreSQL: pg_dump in
// its custom format, itself a consistent snapshot of one database.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "backup", "backup [--db DSN] FILE\n\nWrites a consistent copy of the database to FILE while it may be in use:\nSQLite through VACUUM INTO, PostgreSQL through pg_dump --format=custom.\nFILE must not exist. critmin restore puts it back.")
	dsn := dbFlag(fs, env)
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	_, pw := startProgress(ctx, env, *showProgress, "backup")
	if err := checkDB(*dsn); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup takes one FILE, got %d arguments", fs.NArg())
	}
	out := fs.Arg(0)
	if _, err := os.Stat(out); err == nil {
		return refusef("backup: %s exists; choose a new file name", out) // the state of a path, not the form (fix14p)
	}
	// The backup is written to a temporary file beside FILE: a missing
	// directory is named as such, not through that file's name.
	if dir := filepath.Dir(out); dir != "" {
		if st, err := os.Stat(dir); err != nil {
			return refusef("backup: the directory %s does not exist; create it first", dir)
		} else if !st.IsDir() {
			return refusef("backup: %s is not a directory", dir)
		}
	}
	fmt.Fprintf(pw, "writing %s…\n", out)
	if postgres.IsDSN(*dsn) {
		// The source must be a critmin database at this binary's
		// migrations, as a SQLite source must (sqlite.Backup): an empty or
		// foreign PostgreSQL database is "not a critmin database", not a
		// backup that restore would refuse later (fix14o).
		st, err := OpenStoreReadOnly(ctx, *dsn)
		if err != nil {
			return refusef("--db: %v", err)
		}
		st.Close()
		if err := pgDump(ctx, env, *dsn, out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backup written to %s (pg_dump custom format)\n", out)
		keyReminder(ctx, env, *dsn, "backup")
		return nil
	}
	if _, err := os.Stat(*dsn); errors.Is(err, os.ErrNotExist) {
		return refusef("--db: no database at %s", redactDSN(*dsn))
	}
	size, err := sqlite.Backup(ctx, *dsn, out)
	if errors.Is(err, sqlite.ErrNotDatabase) {
		return refusef("--db: %v", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(pw, "wrote %s bytes\n", count(size))
	fmt.Fprintf(env.Stdout, "backup written to %s\n", out)
	keyReminder(ctx, env, *dsn, "backup")
	return nil
}

// keyReminder notes on stderr that the installation signing key is not
// in a backup and must be kept with it, naming the key's path for dsn
// (installationKeyFile): without it the restored database's signed
// period records and certificates cannot be extended under the same key.
func keyReminder(ctx context.Context, env *Env, dsn, cmd string) {
	// The key actually used (fix14p: a PostgreSQL backup named
	// postgres-NAME.signing.key, which did not exist, even with
	// CRITMIN_SIGNING_KEY set): CRITMIN_SIGNING_KEY when set, else the
	// database's key file only if it exists.
	file := ""
	if k := envOr(env, "CRITMIN_SIGNING_KEY", ""); k != "" {
		file = k + " (CRITMIN_SIGNING_KEY)"
	} else if st, err := OpenStoreReadOnly(ctx, dsn); err == nil {
		if f, err := installationKeyFile(ctx, env, dsn, st); err == nil {
			if _, serr := os.Stat(f); serr == nil {
				file = f
			}
		}
		st.Close()
	}
	if cmd == "backup" {
		if file == "" {
			fmt.Fprintf(env.Stderr, "note: the backup holds no signing key, and no signing key file was found for this database (CRITMIN_SIGNING_KEY is not set, and no key file is at the default place): keep with the backup the key its servers sign with — the file their CRITMIN_SIGNING_KEY or --signing-key names (docs/security.md, \"The installation signing key\")\n")
			return
		}
		fmt.Fprintf(env.Stderr, "note: the backup holds no signing key; keep the installation signing key %s with it (docs/security.md, \"The installation signing key\")\n", file)
		return
	}
	if file != "" {
		fmt.Fprintf(env.Stderr, "note: the restored database signs with the installation signing key %s; put the key kept with the backup there, or name it with CRITMIN_SIGNING_KEY\n", file)
		return
	}
	// No key yet: where critmin serve will look for it.
	where := "the default key file of this database"
	if st, err := OpenStoreReadOnly(ctx, dsn); err == nil {
		if f, err := installationKeyFile(ctx, env, dsn, st); err == nil {
			where = f
		}
		st.Close()
	}
	fmt.Fprintf(env.Stderr, "note: the restored database has no signing key yet: put the key kept with the backup at %s (where critmin serve looks for it), or name it with CRITMIN_SIGNING_KEY\n", where)
}

// runRestore puts a backup back. critmin restore [--db DSN] [--force] FILE
//
// Nothing at the target changes until the backup has been checked in full.
// SQLite: FILE must be a critmin database (sqlite.CheckBackup: SQLite
// integrity_check, the schema_migrations table, a known version); it is
// copied to a staging file beside the target, opened (which applies newer
// migrations) and verified like critmin verify; only then is the old
// database moved aside, the staging file renamed over the target, and the
// old one removed — a crash leaves either the old or the new database.
// PostgreSQL: pg_restore into a new staging database on the same server,
// which must hold critmin's schema and verify; then the target is renamed
// away, the staging database renamed to the target's name and the old one
// dropped. A refused or failed restore leaves the target as it was (and,
// without --force, nothing where there was nothing).
func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "restore", "restore [--db DSN] [--force] FILE\n\nChecks a backup made by critmin backup, restores it into a staging copy,\nverifies that, and only then replaces --db with it.\nStop the servers using --db first.")
	dsn := dbFlag(fs, env)
	force := fs.Bool("force", false, "replace an existing database (SQLite file, or a PostgreSQL database that has tables)")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	_, pw := startProgress(ctx, env, *showProgress, "restore")
	if err := checkDB(*dsn); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("restore takes one FILE, got %d arguments", fs.NArg())
	}
	in := fs.Arg(0)
	// Every refusal or failure from here on says what became of the
	// target: left unchanged, or nothing created (restoreOutcome).
	// (A PostgreSQL target not yet looked at is said to be left
	// unchanged, whether or not it exists.)
	target, existed := redactDSN(*dsn), true
	if !postgres.IsDSN(*dsn) {
		_, err := os.Lstat(*dsn)
		existed = err == nil
	} else if postgresMissing(ctx, *dsn) {
		// As for SQLite: a database that is not there was not "left
		// unchanged"; nothing was created.
		existed = false
	}
	if err := restoreInputKind(in, postgres.IsDSN(*dsn)); err != nil {
		return restoreOutcome(err, target, existed)
	}
	// outcome says what became of the target when the backup is refused
	// after staging: a new path was never created, so "left unchanged"
	// would say there was a database there (a new user read it so).
	outcome := func() string {
		if existed {
			return target + " was left unchanged"
		}
		return "nothing was created at " + target
	}
	verify := func(staging string) error {
		// The staging copy is migrated to this binary's schema first (a
		// backup from an older critmin), since verify, a read-only
		// command, refuses a database that needs migrating.
		st, err := CreateStore(ctx, staging)
		if err != nil {
			return fmt.Errorf("restore: the backup in %s does not open; %s: %w", in, outcome(), err)
		}
		st.Close()
		verifyArgs := []string{"--db", staging}
		if *showProgress {
			verifyArgs = append(verifyArgs, "--progress")
		}
		if err := runVerify(ctx, env, verifyArgs); err != nil {
			return fmt.Errorf("restore: the backup in %s does not verify; %s: %w", in, outcome(), err)
		}
		return nil
	}
	fmt.Fprintf(pw, "restoring %s into %s…\n", in, redactDSN(*dsn))
	if postgres.IsDSN(*dsn) {
		missing, err := checkPostgresTarget(ctx, *dsn, *force)
		if err != nil {
			return restoreOutcome(err, target, true)
		}
		existed = !missing
		if err := restorePostgres(ctx, env, in, *dsn, missing, verify); err != nil {
			return restoreOutcome(err, target, !missing)
		}
	} else if err := restoreSQLite(ctx, in, *dsn, *force, verify); err != nil {
		return restoreOutcome(err, target, existed)
	}
	if existed {
		fmt.Fprintf(env.Stdout, "restored %s into %s, replacing the database that was there\n", in, target)
	} else {
		fmt.Fprintf(env.Stdout, "restored %s into %s, a new database\n", in, target)
	}
	keyReminder(ctx, env, *dsn, "restore")
	return nil
}

// restoreOutcome is err, a refused or failed restore, with what became
// of the target said once: "TARGET was left unchanged", or "nothing was
// created at TARGET" where there was nothing. A refusal stays a usage
// error.
func restoreOutcome(err error, target string, existed bool) error {
	msg := err.Error()
	if strings.Contains(msg, "left unchanged") || strings.Contains(msg, "nothing was created") {
		return err
	}
	if existed {
		return fmt.Errorf("%w; %s was left unchanged", err, target)
	}
	return fmt.Errorf("%w; nothing was created at %s", err, target)
}

// Backup files' first bytes: SQLite's file header and pg_dump's custom
// archive ("PGDMP").
const (
	sqliteMagic = "SQLite format 3\x00"
	pgDumpMagic = "PGDMP"
)

// restoreInputKind refuses a FILE that cannot be the backup a restore
// into this kind of --db needs, saying what it is instead: missing, a
// directory, a backup of the other backend.
func restoreInputKind(in string, toPostgres bool) error {
	fi, err := os.Stat(in)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return refusef("restore: no backup at %s", in)
		}
		return refusef("restore: cannot read %s: %v", in, err)
	}
	if fi.IsDir() {
		return refusef("restore: %s is a directory, not a backup file", in)
	}
	head, err := readHead(in, len(sqliteMagic))
	if err != nil {
		return refusef("restore: cannot read %s: %v", in, err)
	}
	switch {
	case toPostgres && string(head) == sqliteMagic:
		return refusef("restore: %s is a SQLite backup, and --db names a PostgreSQL database: restore it into a SQLite file (--db PATH)", in)
	case !toPostgres && strings.HasPrefix(string(head), pgDumpMagic):
		return refusef("restore: %s is a PostgreSQL backup (pg_dump custom format), and --db names a SQLite file: restore it into a PostgreSQL database (--db postgres://…)", in)
	}
	return nil
}

// pgURL is a PostgreSQL --db value (URL or key=value DSN) parsed as a
// URL; its errors never quote it (postgres.ParseDB).
func pgURL(dsn string) (*url.URL, error) {
	s, err := postgres.URLForm(dsn)
	if err != nil {
		return nil, usagef("%v", err)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, usagef("--db: the PostgreSQL DSN does not parse")
	}
	return u, nil
}

// checkDB refuses a --db value that is neither clearly a SQLite path
// nor clearly PostgreSQL (postgres.ParseDB).
func checkDB(dsn string) error {
	if _, err := postgres.ParseDB(dsn); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// redactDSN is postgres.RedactDSN: every DSN the CLI prints goes through it.
func redactDSN(dsn string) string { return postgres.RedactDSN(dsn) }

func restoreSQLite(ctx context.Context, in, target string, force bool, verify func(string) error) (err error) {
	if fi, err := os.Stat(target); err == nil {
		// Only a database file is replaced, --force or not: a directory
		// would be moved aside (and removed when empty), and a file that
		// is not SQLite — a mistyped path — would be lost.
		if !fi.Mode().IsRegular() {
			return refusef("--db: %s is a directory or special file, not a SQLite database file", target)
		}
		if head, err := readHead(target, len(sqliteMagic)); err != nil {
			return refusef("--db: cannot read %s: %v", target, err)
		} else if len(head) > 0 && string(head) != sqliteMagic {
			return refusef("--db: %s exists and is not a SQLite database (its first bytes are not SQLite's header); restore replaces only a database: name another path, or move the file aside", target)
		}
		if !force {
			return refusef("--db: %s exists; pass --force to replace it", target)
		}
	}
	if err := sqliteInUse(target); err != nil {
		return err
	}
	if err := sqlite.CheckBackup(ctx, in); err != nil {
		return refusef("restore: %v", err)
	}
	// (CheckBackup names FILE and the reason: empty, not SQLite, failing
	// its integrity check, without critmin's schema, from a newer critmin.)
	dir := filepath.Dir(target)
	// The first missing ancestor of the target's directory, removed again
	// if the restore fails, so that a refused restore leaves nothing.
	created := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		created = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("restore: cannot create the directory of --db %s: %w", target, err)
	}
	staging := filepath.Join(dir, "."+filepath.Base(target)+".restore-"+strconv.Itoa(os.Getpid()))
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				_ = os.Remove(staging + suffix)
			}
			if created != "" {
				_ = os.RemoveAll(created)
			}
		}
	}()
	if err := copyFile(in, staging); err != nil {
		return fmt.Errorf("restore: copy %s to the staging file %s beside --db: %w", in, staging, err)
	}
	if err := verify(staging); err != nil {
		return err
	}
	if err := sqlite.Checkpoint(ctx, staging); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Swap: the old database (with its -wal and -shm, which SQLite finds by
	// name) is moved aside intact, the verified copy renamed over the
	// target, and the old one removed only once that rename succeeded.
	old := filepath.Join(dir, "."+filepath.Base(target)+".pre-restore-"+strconv.Itoa(os.Getpid()))
	var moved []string
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(target+suffix, old+suffix); err == nil {
			moved = append(moved, suffix)
		} else if !errors.Is(err, os.ErrNotExist) {
			for _, m := range moved {
				_ = os.Rename(old+m, target+m)
			}
			return fmt.Errorf("restore: move the old database aside: %w", err)
		}
	}
	if err := os.Rename(staging, target); err != nil {
		for _, m := range moved {
			_ = os.Rename(old+m, target+m)
		}
		return fmt.Errorf("restore: %w", err)
	}
	if err := sqlite.SyncDir(dir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, m := range moved {
		_ = os.Remove(old + m)
	}
	return nil
}

// restorePostgres restores in into a new staging database beside the
// target, checks that it holds critmin's schema and verifies it, then
// swaps it in by renaming (ALTER DATABASE … RENAME needs no other session
// on either database, which checkPostgresTarget made sure of). The
// restored database is owned by the restoring role.
//
// A target database that does not exist is created: the staging database
// is simply renamed to its name, as SQLite restores into a new path.
func restorePostgres(ctx context.Context, env *Env, in, dsn string, missing bool, verify func(string) error) (err error) {
	u, err := pgURL(dsn)
	if err != nil {
		return err
	}
	target := strings.TrimPrefix(u.Path, "/")
	if target == "" {
		return usagef("--db: name the database in the URL")
	}
	staging := fmt.Sprintf("%.40s_restore_%d", target, os.Getpid())
	old := fmt.Sprintf("%.40s_prerestore_%d", target, os.Getpid())
	maint := *u
	maint.Path = "/postgres"
	admin, err := sql.Open("pgx", maint.String())
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	ident := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+ident(staging)); err != nil {
		return fmt.Errorf("restore: create the staging database %s beside %s (the role restoring needs CREATEDB): %w", staging, target, postgres.RedactError(err, dsn))
	}
	defer func() {
		if err != nil {
			_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+ident(staging)+" WITH (FORCE)")
		}
	}()
	su := *u
	su.Path = "/" + staging
	if err := pgTool(ctx, env, "pg_restore", su.String(), "--no-owner", "--single-transaction", "--exit-on-error", in); err != nil {
		// Only a file without pg_dump's archive header is the file's
		// fault; anything else pg_restore met (a role without the rights,
		// a full disk, a dump from a newer pg_dump) is said as it is.
		if head, _ := readHead(in, len(pgDumpMagic)); string(head) != pgDumpMagic {
			return refusef("restore: %s is not a critmin PostgreSQL backup (critmin backup writes pg_dump's custom format, which begins PGDMP): %v", in, postgres.RedactError(err, dsn))
		}
		return fmt.Errorf("restore: pg_restore of %s into the staging database %s failed: %w", in, staging, postgres.RedactError(err, dsn))
	}
	if err := checkPostgresSchema(ctx, su.String()); err != nil {
		return refusef("restore: %s: %v", in, err)
	}
	if err := verify(su.String()); err != nil {
		return err
	}
	if missing {
		if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+ident(staging)+" RENAME TO "+ident(target)); err != nil {
			return fmt.Errorf("restore: rename %s to %s: %w", staging, target, err)
		}
		return nil
	}
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+ident(target)+" RENAME TO "+ident(old)); err != nil {
		return fmt.Errorf("restore: rename %s aside: %w", target, err)
	}
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+ident(staging)+" RENAME TO "+ident(target)); err != nil {
		_, _ = admin.ExecContext(context.Background(), "ALTER DATABASE "+ident(old)+" RENAME TO "+ident(target))
		return fmt.Errorf("restore: rename %s to %s: %w", staging, target, err)
	}
	if _, err := admin.ExecContext(ctx, "DROP DATABASE "+ident(old)); err != nil {
		fmt.Fprintf(env.Stderr, "restore: the previous database is kept as %s: %v\n", old, err)
	}
	return nil
}

// checkPostgresSchema refuses a restored database without critmin's
// schema_migrations table or any recorded migration (an empty dump).
func checkPostgresSchema(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("not a critmin backup (no schema_migrations table): %v", err)
	}
	if !v.Valid || v.Int64 < 1 {
		return errors.New("not a critmin backup (no migration recorded)")
	}
	return nil
}

// readHead reads up to n bytes from the start of path.
func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:k], nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600) // a database: owner only
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

// pgDump writes a pg_dump of dsn to out: into a temporary file (mode
// 0600) beside out, fsynced and then linked to out, so that a pg_dump
// killed half-way leaves no FILE (a rerun is not refused as "exists") and
// the backup is readable only by its owner, as SQLite's is.
func pgDump(ctx context.Context, env *Env, dsn, out string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := pgTool(ctx, env, "pg_dump", dsn, "--format=custom", "--no-owner", "--file", name); err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("backup: fsync %s: %w", name, err)
	}
	if err := os.Chmod(name, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Link, not rename: a FILE that appeared meanwhile is not overwritten.
	if err := os.Link(name, out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return sqlite.SyncDir(filepath.Dir(out))
}

// pgCommand builds the command line for one of PostgreSQL's client
// programs acting on dsn. The password never goes on the command line,
// where any local user reads it in /proc/PID/cmdline or ps: it is taken
// out of the URL (user:password@ or ?password=) and passed in PGPASSWORD,
// which only the process's owner can read (/proc/PID/environ is 0400).
func pgCommand(ctx context.Context, path, dsn string, args ...string) (*exec.Cmd, error) {
	u, err := pgURL(dsn)
	if err != nil {
		return nil, err
	}
	pw, hasPW := "", false
	if u.User != nil {
		pw, hasPW = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if p := q.Get("password"); q.Has("password") {
		pw, hasPW = p, true
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	cmd := exec.CommandContext(ctx, path, append([]string{"--dbname", u.String()}, args...)...)
	cmd.Env = os.Environ()
	if hasPW {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pw)
	}
	return cmd, nil
}

// pgTool runs one of PostgreSQL's client programs on dsn, passing its
// messages on.
func pgTool(ctx context.Context, env *Env, name, dsn string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s is needed for PostgreSQL backups (Debian package postgresql-client): %w", name, err)
	}
	cmd, err := pgCommand(ctx, path, dsn, args...)
	if err != nil {
		return err
	}
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
// missing reports a target database that does not exist (SQLSTATE 3D000),
// which the restore then creates.
// closingGrace is how long checkPostgresTarget waits for sessions that
// are closing (their backends exiting) before it counts them as servers
// still connected.
const closingGrace = 3 * time.Second

// postgresMissing says the PostgreSQL database dsn names does not exist
// (the server answers, and says so); any other failure is not "missing".
func postgresMissing(ctx context.Context, dsn string) bool {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return false
	}
	defer db.Close()
	return postgres.IsMissingDatabase(db.PingContext(ctx))
}

func checkPostgresTarget(ctx context.Context, dsn string, force bool) (missing bool, err error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return false, fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	var tables, sessions int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		if postgres.IsMissingDatabase(err) {
			return true, nil
		}
		return false, fmt.Errorf("restore: --db: %w", err)
	}
	// A session that has just disconnected stays in pg_stat_activity
	// until its backend process exits (a moment after the client closed):
	// sessions are counted again for up to closingGrace before a restore
	// is refused for them.
	for deadline := time.Now().Add(closingGrace); ; {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&sessions); err != nil {
			return false, fmt.Errorf("restore: --db: %w", err)
		}
		if sessions == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if sessions > 0 {
		return false, refusef("--db: %d other sessions are connected to the database; stop the servers using it before restoring", sessions)
	}
	if tables > 0 && !force {
		noun := "tables"
		if tables == 1 {
			noun = "table"
		}
		return false, refusef("--db: the database is not empty (%d %s); pass --force to replace its contents", tables, noun)
	}
	return false, nil
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
			return refusef("--db: %s is open in another connection (a server still running on it?); stop it before restoring", target)
		}
		return fmt.Errorf("restore: lock %s-shm: %w", target, err)
	}
	lk.Type = unix.F_UNLCK
	return unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}
