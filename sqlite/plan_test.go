package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/sqlite"
)

// TestRemotePrefixScanUsesIndex: the scan of events captured with a
// remote @context (the query of sqldb.remotePrefixesUsed) is answered from
// events_context_pk (migration 0017), not by walking every event after
// the cursor.
func TestRemotePrefixScanUsesIndex(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT e.pk, e.raw, c.body FROM events e JOIN contexts c ON c.id = e.context_id
			WHERE e.pk > ? AND e.context_id IN (?, ?) ORDER BY e.pk`, 0, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "USING INDEX events_context_pk (context_id=? AND pk>?)") {
		t.Errorf("plan does not search events_context_pk:\n%s", p)
	}
}
