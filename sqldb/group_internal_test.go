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

// TestGroupFirstCaptureWithoutSavepoint: the capture that opens a group's
// transaction works without a savepoint (perf11z: the savepoint made
// SQLite copy every page the capture changed into a temporary file), and
// each capture is still all or nothing. On a store with table t:
//   - capture 1 opens a group, inserts 1 and is refused: RELEASE
//     SAVEPOINT capture in its turn fails (there is none), and after it
//     leaves, t is empty and no group is open;
//   - capture 2 opens a group and inserts 2, kept, with capture 3 queued;
//     capture 3 joins that group (in a savepoint), inserts 3 and is
//     refused; the group commits: t holds 2 alone, and capture 2's
//     leaveGroup returns nil.
func TestGroupFirstCaptureWithoutSavepoint(t *testing.T) {
	ctx := context.Background()
	conn, err := sql.Open("sqlite", "file:"+t.TempDir()+"/g.db")
	if err != nil {
		t.Fatal(err)
	}
	conn.SetMaxOpenConns(1)
	db := New(conn, conn, Dialect{Name: "sqlite"})
	defer db.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	rowsOfT := func() []int {
		rows, err := conn.QueryContext(ctx, "SELECT x FROM t ORDER BY x")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var x int
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			out = append(out, x)
		}
		return out
	}
	insert := func(g *captureGroup, x int) {
		if _, err := g.tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", x); err != nil {
			t.Fatal(err)
		}
	}

	db.takeTurn()
	g, err := db.joinGroup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	insert(g, 1)
	if _, err := g.tx.ExecContext(ctx, "RELEASE SAVEPOINT capture"); err == nil {
		t.Error("the group's first capture has a savepoint; want none")
	}
	if err := db.leaveGroup(ctx, g, false, nil); err != nil {
		t.Fatalf("refused first capture: leaveGroup %v", err)
	}
	if got := rowsOfT(); len(got) != 0 {
		t.Errorf("after the refused first capture t holds %v, want nothing", got)
	}
	if db.group != nil {
		t.Error("a group is still open after its only capture was refused")
	}

	db.takeTurn()
	g2, err := db.joinGroup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	insert(g2, 2)
	db.waiting.Add(1) // capture 3 queued: the group stays open
	kept := make(chan error, 1)
	go func() { kept <- db.leaveGroup(ctx, g2, true, nil) }()
	db.captureMu.Lock() // capture 3's turn
	db.waiting.Add(-1)
	g3, err := db.joinGroup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g3 != g2 {
		t.Fatal("capture 3 did not join capture 2's group")
	}
	insert(g3, 3)
	if err := db.leaveGroup(ctx, g3, false, nil); err != nil {
		t.Fatalf("refused capture 3: leaveGroup %v", err)
	}
	if err := <-kept; err != nil {
		t.Fatalf("kept capture 2: leaveGroup %v", err)
	}
	if got := rowsOfT(); len(got) != 1 || got[0] != 2 {
		t.Errorf("t holds %v, want [2]", got)
	}
}
