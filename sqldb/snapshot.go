package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// snapshotReads marks a context whose reads of a store (and of its view
// of the primary) all see one snapshot (ReadSnapshot).
type snapshotReads struct {
	db *DB
	q  querier
}

type snapshotKey struct{}

// ReadSnapshot returns a context under which every read of this store
// sees the database as of one moment, and the function that ends it.
// Verify reads the log and every derived table under it, so that writes
// committed while it runs (a capture, a token) cannot make the log and a
// table it rebuilds look different. SQLite: one read transaction (its
// snapshot is fixed by a first read). PostgreSQL: a READ ONLY REPEATABLE
// READ transaction exports its snapshot and every connection of a pool
// opened by SnapshotPool imports it, so reads may still run side by side.
func (db *DB) ReadSnapshot(ctx context.Context) (context.Context, func(), error) {
	if _, ok := ctx.Value(snapshotKey{}).(*snapshotReads); ok {
		return ctx, func() {}, nil
	}
	opts := &sql.TxOptions{}
	if db.Dialect.Dollar {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.Read.BeginTx(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: begin a read snapshot: %w", db.Dialect.Name, err)
	}
	var q querier = tx
	end := func() { _ = tx.Rollback() }
	if !db.Dialect.Dollar {
		// SQLite takes a deferred transaction's snapshot at its first read.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			end()
			return nil, nil, fmt.Errorf("%s: begin a read snapshot: %w", db.Dialect.Name, err)
		}
	} else if db.SnapshotPool != nil {
		var id string
		if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
			end()
			return nil, nil, fmt.Errorf("%s: export a read snapshot: %w", db.Dialect.Name, err)
		}
		pool, err := db.SnapshotPool(ctx, id)
		if err != nil {
			end()
			return nil, nil, fmt.Errorf("%s: open the read snapshot's pool: %w", db.Dialect.Name, err)
		}
		q = pool
		end = func() {
			_ = pool.Close()
			_ = tx.Rollback()
		}
	}
	return context.WithValue(ctx, snapshotKey{}, &snapshotReads{db: db, q: q}), end, nil
}
