package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// CheckSchema reports, without writing anything, whether db holds
// critmin's schema at exactly the migrations in files: a database without
// the schema_migrations table (another program's, or an empty file) is
// "not a critmin database", one missing migrations "needs migrating", one
// with migrations this binary does not know is refused too. Commands that
// open an existing database call it instead of Migrate: only serve and
// init create or migrate a database.
func CheckSchema(ctx context.Context, db *sql.DB, d Dialect, files fs.FS, where string) error {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if d.Dollar {
		exists = `SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()`
	}
	var n int
	if err := db.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return fmt.Errorf("%s: open %s: %w", d.Name, where, err)
	}
	if n == 0 {
		return critmin.Errorf(critmin.EINVALID, "%s is not a critmin database (it has no schema_migrations table); to create one, choose an empty database (or a new file) and run critmin init on it", where)
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("%s: read schema version of %s: %w", d.Name, where, err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(applied) == 0 {
		return critmin.Errorf(critmin.EINVALID, "%s is not a critmin database (no migration recorded); to create one, choose an empty database (or a new file) and run critmin init on it", where)
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return err
	}
	known := map[int]bool{}
	var missing []string
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("%s: migration %s: name must start with a number", d.Name, name)
		}
		known[v] = true
		if !applied[v] {
			missing = append(missing, strconv.Itoa(v))
		}
	}
	for v := range applied {
		if !known[v] {
			return critmin.Errorf(critmin.EINVALID, "%s has schema migration %d, which this binary does not know; upgrade critmin", where, v)
		}
	}
	if len(missing) > 0 {
		return critmin.Errorf(critmin.EINVALID, "database %s needs migrating (%d migrations not applied, first %s): run critmin init or critmin serve on it", where, len(missing), missing[0])
	}
	return nil
}
