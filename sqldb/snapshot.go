package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
	var tx *sql.Tx
	var err error
	release := func() {}
	if db.Dialect.Dollar {
		tx, err = db.Read.BeginTx(ctx, opts)
	} else {
		tx, release, err = db.bulkSnapshot(ctx, opts)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: begin a read snapshot: %w", db.Dialect.Name, err)
	}
	var q querier = tx
	end := func() { _ = tx.Rollback(); release() }
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

// snapshotMmap and snapshotCache are the SQLite connection settings of a
// read snapshot (bulkSnapshot): the database file mapped into memory (up
// to 64 GiB; SQLite maps what the file holds), so that verify's reads of
// every page are no pread system call and copy each, and a page cache of
// 256 MiB, so that the pages of events read by key beside the table
// scans are read once.
const (
	snapshotMmap  = 64 << 30
	snapshotCache = -262144 // KiB
)

// bulkSnapshot begins the read transaction of a SQLite snapshot on a
// connection of its own, set for reading every page of the database
// (snapshotMmap, snapshotCache); release gives the settings back and
// returns the connection to the pool, once the transaction has ended.
// The settings change only how pages are read, never what a read sees.
func (db *DB) bulkSnapshot(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, func(), error) {
	conn, err := db.Read.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var mmap, cache int64
	if err := conn.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&mmap); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		conn.Close()
		return nil, nil, err
	}
	set := func(ctx context.Context, mmap, cache int64) error {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA mmap_size = %d`, mmap)); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
		return err
	}
	restore := func() {
		// (a connection whose settings cannot be given back is not
		// returned to the pool)
		if err := set(context.Background(), mmap, cache); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	if err := set(ctx, snapshotMmap, snapshotCache); err != nil {
		restore()
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		restore()
		return nil, nil, err
	}
	return tx, restore, nil
}
