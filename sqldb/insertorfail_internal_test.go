package sqldb

import (
	"context"
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"
)

// TestInsertOrFailLeavesTheRollbackToTheCapture: on SQLite the many-row
// INSERTs of a capture are INSERT OR FAIL (Dialect.InsertOrFail), which
// opens no statement journal, so a statement that fails part way keeps
// the rows it wrote before the failing one, and the capture's own
// rollback (to its savepoint, or of the group's transaction) is what
// removes them. Table t holds x = 3 (x is UNIQUE); a capture in
// SAVEPOINT capture flushes the rows 4, 5, 6, 3 — four rows, a power of
// two, so one statement (flush) — and it fails on 3 with SQLite's
// "UNIQUE constraint failed" (which isUniqueViolation still recognises),
// leaving 4, 5 and 6 (3 rows; under the default ABORT the statement
// undid them itself: 0 rows). After
// ROLLBACK TO SAVEPOINT capture none of the capture's rows is left
// (0 rows) and t holds only 3 (1 row).
func TestInsertOrFailLeavesTheRollbackToTheCapture(t *testing.T) {
	ctx := context.Background()
	conn, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (x INTEGER NOT NULL UNIQUE); INSERT INTO t VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	db := New(conn, conn, Dialect{Name: "sqlite", InsertOrFail: true})
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT capture"); err != nil {
		t.Fatal(err)
	}
	w := &writer{db: db, tx: tx, ctx: ctx}
	b := &batch{head: "INSERT INTO t (x) VALUES ", cols: 1}
	for _, x := range []int{4, 5, 6, 3} {
		if err := w.add(b, x); err != nil {
			t.Fatal(err)
		}
	}
	err = w.flush(b)
	if err == nil || !isUniqueViolation(err) {
		t.Fatalf("flush of 4, 5, 6, 3 over a stored 3: %v, want a UNIQUE constraint failure", err)
	}
	count := func(where string) int {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE "+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("x IN (4, 5, 6)"); n != 3 {
		t.Errorf("rows 4, 5 and 6 after the failed statement: %d, want 3 (INSERT OR FAIL keeps them for the capture's rollback)", n)
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT capture"); err != nil {
		t.Fatal(err)
	}
	if n := count("x IN (4, 5, 6)"); n != 0 {
		t.Errorf("rows 4, 5 and 6 after the capture's rollback: %d, want 0", n)
	}
	if n := count("1 = 1"); n != 1 {
		t.Errorf("rows of t after the capture's rollback: %d, want 1 (the stored 3)", n)
	}
}
