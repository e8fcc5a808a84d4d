package sqldb

import (
	"context"
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"
)

// TestTxStmtsServeOneQueryAtATime: a capture group's prepared statements
// (txStmts) serve one query at a time. Table t holds 1, 2, 3. A query
// for x >= 1 is opened and its first row read (1); the same query text
// for x >= 2, asked while the first is open, must run on its own (the
// prepared statement is held), giving 2 and 3, and leave the first
// query's rows as they were: 2 and 3 follow its 1. Once both are
// closed, the text runs on its prepared statement again (x >= 3 → 3),
// and one statement is kept for it.
func TestTxStmtsServeOneQueryAtATime(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ts := &txStmts{tx: tx}
	const q = "SELECT x FROM t WHERE x >= ? ORDER BY x"
	read := func(rows *sql.Rows, n int) []int {
		var out []int
		for len(out) < n && rows.Next() {
			var x int
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			out = append(out, x)
		}
		return out
	}
	first, release1, err := ts.query(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(first, 1); len(got) != 1 || got[0] != 1 {
		t.Fatalf("first row of x >= 1: %v, want [1]", got)
	}
	second, release2, err := ts.query(ctx, q, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(second, 10); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("x >= 2 while x >= 1 is open: %v, want [2 3]", got)
	}
	second.Close()
	release2()
	if got := read(first, 10); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("the rest of x >= 1 after x >= 2 ran: %v, want [2 3]", got)
	}
	first.Close()
	release1()
	third, release3, err := ts.query(ctx, q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(third, 10); len(got) != 1 || got[0] != 3 {
		t.Errorf("x >= 3: %v, want [3]", got)
	}
	third.Close()
	release3()
	if e := ts.stmts[q]; len(ts.stmts) != 1 || e == nil || e.busy {
		t.Errorf("statements kept: %d (busy %v), want 1, free", len(ts.stmts), e != nil && e.busy)
	}
}
