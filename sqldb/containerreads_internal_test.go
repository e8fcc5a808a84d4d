package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/critmin/critmin"
	_ "modernc.org/sqlite"
)

// TestContainerReadsOnceUntilAWrite: while insertEvents projects a batch
// (w.containerReads set), a container's stored events are read once and
// the read stands until the next write; outside it every ask reads.
// Table t holds x = 3; read lists t's rows as events named by x and
// counts the reads.
//
//   - no memo: two asks for "moves c" → 2 reads, each [3];
//   - memo: two asks for "moves c" → 1 read more (3 in all), the second
//     answered [3] from the memo; an ask for "packings c" → 1 read more
//     (4 in all);
//   - the row 4 added and flushed (a write): the ask for "moves c" reads
//     again (5 in all) and sees [3 4].
func TestContainerReadsOnceUntilAWrite(t *testing.T) {
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
	w := &writer{db: db, tx: tx, ctx: ctx}
	reads := 0
	read := func() ([]*critmin.Event, error) {
		reads++
		rows, err := tx.QueryContext(ctx, "SELECT x FROM t ORDER BY x")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []*critmin.Event
		for rows.Next() {
			var x int
			if err := rows.Scan(&x); err != nil {
				return nil, err
			}
			out = append(out, &critmin.Event{EventID: fmt.Sprint(x)})
		}
		return out, rows.Err()
	}
	ask := func(key, want string, wantReads int) {
		t.Helper()
		evs, err := w.readsMemo(key, read)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range evs {
			ids = append(ids, e.EventID)
		}
		if got := fmt.Sprint(ids); got != want || reads != wantReads {
			t.Errorf("%q: %s after %d reads, want %s after %d", key, got, reads, want, wantReads)
		}
	}
	ask("moves\x00c", "[3]", 1)
	ask("moves\x00c", "[3]", 2) // no memo outside insertEvents
	w.containerReads = map[string][]*critmin.Event{}
	ask("moves\x00c", "[3]", 3)
	ask("moves\x00c", "[3]", 3) // from the memo
	ask("packings\x00c", "[3]", 4)
	b := &batch{head: "INSERT INTO t (x) VALUES ", cols: 1}
	if err := w.add(b, 4); err != nil {
		t.Fatal(err)
	}
	if err := w.flush(b); err != nil {
		t.Fatal(err)
	}
	ask("moves\x00c", "[3 4]", 5) // the write cleared the memo
}
