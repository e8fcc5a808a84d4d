package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/critmin/critmin"
)

func init() { goSteps[64] = foldTokenNames }

// foldTokenNames (migration 64) fills tokens.name_key and makes it
// unique: each token's folded name (critmin.TokenNameKey), the oldest of
// a folded name first; a later case variant keeps its row, keyed with
// "#" and its id (TokenNameClashes reports it).
func foldTokenNames(ctx context.Context, tx *sql.Tx, d Dialect) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM tokens ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read tokens: %w", err)
	}
	type row struct {
		id   int64
		name string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	upd := `UPDATE tokens SET name_key = ? WHERE id = ?`
	if d.Dollar {
		upd = Rebind(upd)
	}
	seen := map[string]bool{}
	for _, r := range all {
		key := critmin.TokenNameKey(r.name)
		if seen[key] {
			key += "#" + strconv.FormatInt(r.id, 10)
		}
		seen[critmin.TokenNameKey(r.name)] = true
		if _, err := tx.ExecContext(ctx, upd, key, r.id); err != nil {
			return fmt.Errorf("fold token name %d: %w", r.id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE UNIQUE INDEX tokens_name_fold ON tokens (name_key)`); err != nil {
		return fmt.Errorf("index token names: %w", err)
	}
	return nil
}

// TokenNameClashes lists the token names that equal an older token's
// name ignoring case ("Alice" beside "alice"), kept from before names
// were compared that way: each as `"Alice" (id 7) clashes with "alice"`.
// Rename (create a new token, revoke the old) to resolve them.
func (db *DB) TokenNameClashes(ctx context.Context) ([]string, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, `SELECT id, name, name_key FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("%s: read tokens: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	first := map[string]string{}
	var out []string
	for rows.Next() {
		var id int64
		var name string
		var key sql.NullString
		if err := rows.Scan(&id, &name, &key); err != nil {
			return nil, err
		}
		k := critmin.TokenNameKey(name)
		if older, ok := first[k]; ok {
			out = append(out, fmt.Sprintf("%q (id %d) clashes with %q", name, id, older))
			continue
		}
		first[k] = name
	}
	return out, rows.Err()
}
